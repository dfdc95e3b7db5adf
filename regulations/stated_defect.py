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
    r"|停用|拆|破|松|断|脱|掉|错|乱|混|少|偏|裂|变形|堆|代|挪|串|随意|只|仅|非防爆|普通|抽烟|吸烟|烟头|切除"
    r"|打火机|火种|打手机|明火|带压|越级|补签|补写|造假|假|瞒|晚|空白|太高|太低|高于|低于|开着|手动"
    r"|锁死|锁住|锁了|上锁|上了锁|躺|穿|跨越|光膀|拖鞋|斜拉|低挂|下面有人|在用|还在|还是|仍"
)
_NO_FINDING = re.compile(
    r"(?:未|没|没有)(?:发现|查出|查到)(?:明显|重大|任何|其他|其它)?的?(?:问题|隐患|异常)"
    r"|无(?:明显|重大)?的?(?:隐患|异常|问题)|(?:整体|情况|总体)(?:良好|正常)|一切正常"
    # a defect denied at the end of its clause: 法兰无泄漏, 未见锈蚀 (not 没有泄漏收集设施)
    r"|(?:无|未见|未发现|没有)(?:明显|任何)?(?:泄漏|渗漏|跑冒滴漏|破损|损坏|锈蚀|腐蚀|堵塞|占用|违章|松动|变形|裂缝|裂纹"
    r"|遮挡|旁路|杂物|油污|积水|缺损|故障|混存|混放|混储)"
    r"(?:现象|情况|迹象)?(?=$|[\s，。；、,.;!?！？])"
)
# A clause reporting that a hazard was put right (上次的消防通道堵塞问题已整改, 整改完成 复查合格): the
# defect it names is the one fixed, so the whole clause is taken out.
_CLOSED = re.compile(
    r"[^\s，。；、,.;!?！？]*(?:已经?(?:整改|修复|更换|换新|恢复|处理|消除|补齐|补上|补办|配齐|清理|拆除)"
    r"|整改(?:已经?)?(?:完成|完毕|到位|结束)|复查(?:合格|通过)|验收(?:合格|通过))[^\s，。；、,.;!?！？]*"
)
# ...unless the clause says the fix is not done or did not hold (未整改完成, 已更换的灭火器仍然过期).
_NOT_CLOSED = re.compile(r"[未没不尚仍]|还(?:是|在|有)|依然|依旧")


def _closed_clause(found: re.Match[str]) -> str:
    return found.group(0) if _NOT_CLOSED.search(found.group(0)) else "，"


_COMPLIANT = re.compile(
    r"全部(?:持证|投入|投用|合格|到位)|均已|均持证|均在岗|持证上岗|已投用|已佩戴|已穿戴|已整改|已落实"
    r"|符合(?:要求|规定|规范)|运行正常|正常(?:投用|运行|使用)|完好有效|齐全有效|办理齐全|资料齐全"
    r"|有效期内|(?:通道|道路)畅通|在岗在位|监护人在岗|警示标志清晰|清晰完好"
    # the state a thing should be in, said of it: 报警器正常, 防火堤完好, 接地连接牢固, 记录齐全 (a 不/未
    # before it stays behind as a defect word)
    r"|完好|正常|牢固|齐全|已(?:校验|检验|检测|标定|校准)|铅封(?:常)?开"
    r"|持(?:有)?[^，。；,;\s]{0,10}证|(?:已|均已|都已)?(?:取得|考取|办理了?)[^，。；,;\s]{0,10}证"
    r"|(?:都|均|已|全部?)(?:戴|穿)(?:了|着|好)?|正确佩戴|(?:都|均|全部?)(?:装|安装|设置|配备|配|设)了"
    r"|分(?:区分类|类分区)(?:储存|存放)|使用万向(?:管道)?(?:充装系统|节)?"
    # an electrical cabinet is kept locked; a locked 安全出口 is a defect (上锁 in _DEFECT)
    r"|(?:配电[箱柜]|电[箱柜]|[箱柜]门)已?上锁"
)
# Names of equipment that hold a defect word (紧急切断阀: 断): part of the name, not a defect.
_NAMES_WITH_DEFECT_WORDS = re.compile(
    r"切断阀|紧急切断|断路器|漏电保护|泄漏报警|不锈钢|防腐|防堵|超压报警|超温报警"
)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」")
# Up to this many characters, a description without a defect word is a name, not a finding.
BARE_NAME = 7


def without_denials(text: str) -> str:
    """The text with its no-finding notes, denied defects (法兰无泄漏) and reports of a fix
    (灭火器已更换) blanked out, for rules that look for a hazard's words in it."""
    return _CLOSED.sub(_closed_clause, _NO_FINDING.sub("，", text))


def states_a_defect(text: str) -> bool:
    """False for a no-finding note, a short name with no defect word, or a statement of compliance.

    Denials and statements of compliance are taken out before the defect words are looked for, so
    a note that also names a defect ("现场整体良好，但一处灭火器过期") still states it."""
    unquoted = _QUOTED.sub("", text)  # 记录都是“无异常” reports a defect in what was written
    # On the inspector's own words: normalizing reads 操作证 as 持证上岗.
    cleared = _NAMES_WITH_DEFECT_WORDS.sub("", _COMPLIANT.sub("，", without_denials(unquoted)))
    if _DEFECT.search(normalize(strip_preamble(cleared))):
        return True
    if (
        _NO_FINDING.search(unquoted)
        or _COMPLIANT.search(unquoted)
        or _CLOSED.sub(_closed_clause, unquoted) != unquoted
    ):
        return False
    return len(normalize(strip_preamble(unquoted))) > BARE_NAME
