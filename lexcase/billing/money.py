"""Money as the firm writes it: Decimal yuan rounded half-up to the fen, once.

Pure Python (no Django): the services, the bill PDF, exports and the API all format through
here, so a figure is rounded in one place and the Chinese capital amount (大写) is spelled
by one set of rules.

Rounding: amounts are computed exactly (Decimal, never float) and rounded half-up to the fen
(0.01 元) once, where a figure is shown, stored on a bill line or returned by the API.

大写 follows 《正确填写票据和结算凭证的基本规定》 (中国人民银行, 支付结算办法 annex):

* 元 with nothing after it ends in 整 (壹佰元整, 零元整); 角 takes no 整 (壹仟肆佰零玖元伍角,
  the rule's own example); 分 never takes 整.
* Zeros between digits are one 零 (陆仟零柒元壹角肆分); a 万/亿 section below a thousand
  after a higher section is preceded by 零 (壹万零伍元整); trailing zeros of a section are
  silent (壹拾万柒仟元).
* 角 is zero but 分 is not: 零 after 元 (壹万陆仟肆佰零玖元零贰分). Where the rule allows
  either spelling (元位 is zero but 角 is not: 壹仟陆佰捌拾元零叁角贰分 or …元叁角贰分), the
  first form the rule lists is used: 零 after 元.
* 拾 is always written with its digit (壹拾万), as the rule's examples do.
* An amount below one yuan has no 元 (伍角, 叁分); a negative amount starts with 负.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "FEN",
    "capital",
    "parse_amount",
    "percent",
    "quantize",
    "to_api",
    "yuan",
    "yuan_exact",
]

FEN = Decimal("0.01")
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SECTION_UNITS = ("仟", "佰", "拾", "")
_WAN = 10_000
_YI = 100_000_000


def _decimal(value: Decimal | int | str) -> Decimal:
    # Floats are refused: 0.1 + 0.2 is not 0.3 in binary, and money must be exact.
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"money must be Decimal, int or str, not {type(value).__name__}")
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return number


def quantize(value: Decimal | int | str) -> Decimal:
    """`value` rounded half-up to the fen (0.005 → 0.01, -0.005 → -0.01)."""
    return _decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def parse_amount(value: Decimal | int | str, *, positive: bool = True) -> Decimal:
    """An amount as entered (no more than two decimals, no rounding of what a person typed);
    `ValueError` with a reason otherwise."""
    number = _decimal(value)
    if number != number.quantize(FEN, rounding=ROUND_HALF_UP):
        raise ValueError("at most two decimal places (fen)")
    if positive and number <= 0:
        raise ValueError("must be greater than zero")
    return number.quantize(FEN)


def to_api(value: Decimal | int | str) -> str:
    """The API's form: a plain string with two decimals ("480000.00")."""
    return f"{quantize(value):f}"


def yuan(value: Decimal | int | str, *, symbol: str = "¥") -> str:
    """Thousands-separated with two decimals: ¥17,956,000.00 (negative: -¥1,000.00)."""
    number = quantize(value)
    sign = "-" if number < 0 else ""
    return f"{sign}{symbol}{abs(number):,.2f}"


def yuan_exact(value: Decimal) -> str:
    """An exact intermediate figure of a computation: two decimals when it has no more,
    otherwise every digit (¥0.0018), so shown steps add up to the figure rounded at the end."""
    if value == value.quantize(FEN):
        return yuan(value)
    return f"¥{value.normalize():,f}"


def percent(rate: Decimal) -> str:
    """A fraction as a percentage without trailing zeros: 0.025 → 2.5%."""
    return f"{(rate * 100).normalize():f}%"


def _section(n: int) -> str:
    """0 < n < 10,000 as 仟佰拾 digits: inner zeros become one 零, trailing zeros nothing."""
    out: list[str] = []
    zero_pending = False
    for unit, digit in zip(_SECTION_UNITS, f"{n:04d}", strict=True):
        d = int(digit)
        if d == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[d] + unit)
    return "".join(out)


def _integer(n: int) -> str:
    """n > 0 in capital digits with 万 and 亿 (亿 repeats for larger numbers: 壹万亿)."""
    if n >= _YI:
        high, low = divmod(n, _YI)
        text = _integer(high) + "亿"
        if low:
            # A lower part that does not reach its top digit (千万) follows a gap: 零.
            text += ("零" if low < _YI // 10 else "") + _integer(low)
        return text
    if n >= _WAN:
        high, low = divmod(n, _WAN)
        text = _section(high) + "万"
        if low:
            text += ("零" if low < 1000 else "") + _section(low)
        return text
    return _section(n)


def capital(value: Decimal | int | str) -> str:
    """The Chinese capital amount (大写) of `value` after rounding to the fen:
    12345.67 → 壹万贰仟叁佰肆拾伍元陆角柒分; 10005 → 壹万零伍元整; 0 → 零元整."""
    number = quantize(value)
    sign = "负" if number < 0 else ""
    fen_total = int(abs(number) * 100)
    whole, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    if whole == 0 and cents == 0:
        return "零元整"
    text = ""
    if whole:
        text = _integer(whole) + "元"
    if cents == 0:
        return sign + text + "整"
    if jiao:
        if whole and whole % 10 == 0:
            text += "零"
        text += _DIGITS[jiao] + "角"
    elif whole:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return sign + text
