"""Rebuilds breached-passwords.txt.gz (run by hand; the file is committed data).

Passwords from public breach corpora are mostly a common word with a decoration: a capital
letter, digits, a year, a symbol. The list is Django's 20,000 common passwords, the first
3,000 of them with the usual decorations, and passwords reported most common in Chinese
breaches (CSDN 2011 and later). Stored lowercased: the validator compares lowercased."""

from __future__ import annotations

import gzip
from pathlib import Path

import django

SUFFIXES = [
    "!",
    ".",
    "@",
    "#",
    "1",
    "1!",
    "12",
    "12!",
    "123",
    "123!",
    "123.",
    "1234",
    "1234!",
    "12345",
    "123456",
    "!@#",
    "@123",
    "#123",
    "666",
    "888",
    "520",
    "1314",
    "0",
    "01",
    "007",
    "2020",
    "2021",
    "2022",
    "2023",
    "2024",
    "2025",
    "2026",
    "2027",
]
CHINESE = """123456789 12345678 11111111 dearbook 00000000 123123123 1234567890 88888888
111111111 147258369 987654321 aaaaaaaa 1111111111 66666666 a123456789 11223344 1qaz2wsx
xiazhili 789456123 87654321 qqqqqqqq 000000000 qwertyuiop qq123456 31415926 12344321
0000000000 asdfghjkl 1q2w3e4r 123456abc 0123456789 123654789 12121212 qazwsxedc abcd1234
12341234 110110110 asdasdasd 123456aa 22222222 123321123 abc123456 a12345678 123456123
a1234567 1234qwer qwe123456 woaini1314 5201314 woaini520 woaini 1314520 521521 wangyut2
iloveyou 5211314 woaiwojia zxcvbnm123 aa123456 a123456 qwe123 123qwe asd123 zxc123
1qaz2wsx3edc 147258 159357 741852963 963852741 woaini123 wodemima mima123 mima1234
abc123 admin123 admin888 root123 test123 p@ssw0rd passw0rd p@ssword password1
qweasdzxc qazwsx123 1qazxsw2 zaq12wsx 1q2w3e4r5t q1w2e3r4 huawei123 baidu123 lianxiang
zhang123 wang123 li123456 liu123456 chen123 yang123 zhao123 huang123 zhou123 wu123456
beijing shanghai guangzhou shenzhen zhongguo china123 lawyer123 lvshi123 falv123""".split()


def build() -> list[str]:
    source = Path(django.__file__).parent / "contrib/auth/common-passwords.txt.gz"
    base = [w.strip() for w in gzip.open(source, "rt").read().splitlines() if w.strip()]
    words = set(base) | set(CHINESE)
    for word in base[:3000] + CHINESE:
        for suffix in SUFFIXES:
            words.add(word + suffix)
    return sorted(w.lower() for w in words if len(w) >= 8)


if __name__ == "__main__":
    out = Path(__file__).with_name("breached-passwords.txt.gz")
    with gzip.open(out, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(build()) + "\n")
