"""Whether an inspector's words say a safeguard is missing (没装报警器) or there but faulty (报警器坏了,
没检定): the one thing bigram matching cannot tell apart, since both name the same device.

Read only for the checklist items marked with a ``condition`` (rules/checklist_schema.py).
"""

from __future__ import annotations

import re
from typing import Literal

from regulations.normalize import strip_preamble

Condition = Literal["missing", "faulty"]

# Not installed, said of the device itself (没装报警器, 未设有毒探测器, 没有…探头, 一个…都没有); not an
# accessory of a device that is there (报警器未配备备用电源, 探头未设置防雨罩).
_DEVICE = r"(?:报警器|报警仪|报警装置|报警系统|检测报警|探头|探测器|检测器|检测仪|GDS|可燃报|有毒报)"
_MISSING = re.compile(
    rf"(?:(?:没|未)有?(?:安装|装|设置|设|配备|配置|配)|缺少|漏装|漏设|(?:没有|无)(?:任何)?)[^，。,；;没未]{{0,10}}{_DEVICE}"
    r"|一个[^，。,；;]{0,12}都没有|都没有?(?:装|设)"
    # the device named first, the verb ending the clause: 报警器没装全 (not 探头未设置防雨罩)
    rf"|{_DEVICE}[^，。,；;]{{0,4}}(?:没|未)有?(?:安装|装|设置|设)(?:全|齐|上)?(?=$|[，。,；;！!]|的)"
)
# Present but not working or not kept up: broken, faulty, bypassed, out of calibration.
_FAULTY = re.compile(
    r"坏|故障|失灵|失效|不亮|不响|不报警|不好使|不灵|报不出|误报|屏蔽|旁路|包着|套着|蒙着|糊住|堵|零点|漂"
    r"|没(?:有)?反应|反应没有|不动作"
    r"|过期|超期|到期|(?:没|未)(?:有)?(?:按期|定期)?(?:检定|标定|校准|校验|检验|修|维修|投用|投入|通电|上电)"
    r"|(?:断|掉)(?:电|线)|关(?:了|掉|闭)"
)


def stated_condition(text: str) -> Condition | None:
    """``missing`` or ``faulty`` where the words say one and not the other; else None."""
    words = strip_preamble(text)
    missing, faulty = bool(_MISSING.search(words)), bool(_FAULTY.search(words))
    if missing == faulty:
        return None
    return "missing" if missing else "faulty"
