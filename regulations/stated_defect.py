"""Whether an inspector's words state a defect at all, or only name a place or a thing.

A bare noun ("罐区", "SIS", "安全阀") matches the checklist items about that thing well enough to
pass the major-hazard threshold, and a no-finding note ("检查完毕 现场整体良好 未发现问题") or a
statement of compliance ("特种作业人员全部持证上岗") matches the items it denies. Neither may
suggest a 重大隐患 or draft a penalty on its own; a photo's detections or the inspector's chosen
item still can. Checked against every phrasing of the checklist and the evaluation sets
(tests/unit/regulations/test_stated_defect.py): all of them state a defect.
"""

from __future__ import annotations

import re

from regulations.normalize import normalize, strip_preamble

# Words by which a description says something is missing, broken, wrong or unsafe.
_DEFECT = re.compile(
    r"未|没|无|不|缺|坏|失效|失灵|超|损|漏|堵|占|过期|到期|关闭|关了|屏蔽|强制|旁路|违|私|擅|故障|锈|腐蚀"
    r"|停用|拆|破|松|断|脱|掉|错|乱|混|少|偏|裂|变形|堆|代|挪|串|随意|只|仅|非防爆|普通|抽烟|吸烟|烟头"
    r"|打火机|火种|打手机|明火|带压|越级|补签|补写|造假|假|瞒|晚|空白|太高|太低|高于|低于|开着|手动"
    r"|锁死|锁住|锁了|上锁|躺|穿|跨越|光膀|拖鞋|斜拉|低挂|下面有人|在用|还在|还是|仍"
)
_NO_FINDING = re.compile(
    r"未发现(?:问题|隐患|异常)|无(?:隐患|异常|问题)|(?:整体|情况|总体)(?:良好|正常)|一切正常"
)
_COMPLIANT = re.compile(
    r"全部(?:持证|投入|投用|合格|到位)|均已|已投用|符合要求|运行正常|正常投用|完好有效|齐全有效"
)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」")
# Up to this many characters, a description without a defect word is a name, not a finding.
BARE_NAME = 7


def states_a_defect(text: str) -> bool:
    """False for a no-finding note, a short name with no defect word, or a statement of compliance."""
    unquoted = _QUOTED.sub("", text)  # 记录都是“无异常” reports a defect in what was written
    if _NO_FINDING.search(unquoted):
        return False
    words = normalize(strip_preamble(unquoted))
    if _DEFECT.search(words):
        return True
    return len(words) > BARE_NAME and not _COMPLIANT.search(words)
