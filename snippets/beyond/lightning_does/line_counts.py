"""How many lines each feature takes in the two files of this page, counted from the files themselves."""

# --8<-- [start:count]
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = {"PyTorch": HERE / "pytorch.py", "Lightning": HERE / "lightning.py"}
FEATURES = {
    "resume": "체크포인트를 저장하고 이어서 훈련하기",
    "early-stopping": "조기 종료",
    "csv-log": "CSV 기록과 학습 곡선",
    "clipping": "기울기 자르기",
    "precision": "bf16 혼합 정밀도",
    "fast-dev-run": "배치 하나만 돌려 보기",
    "overfit": "배치 몇 개에 과적합시켜 보기",
    "seed": "시드와 결정적 알고리즘",
}
MARKER = re.compile(r"^\s*# --8<-- \[(start|end):([-\w]+)\]\s*$")


def section_lines(path, name):
    """파일에서 구역 name이 시작하는 표시와 끝나는 표시 사이의 줄이에요. 안에 든 구역 표시 줄은 빼요."""
    lines = path.read_text(encoding="utf-8").splitlines()
    markers = [(number, MARKER.match(line)) for number, line in enumerate(lines)]
    start = next(number for number, match in markers if match and match.groups() == ("start", name))
    end = next(number for number, match in markers[start:] if match and match.groups() == ("end", name))
    return [line for line in lines[start + 1 : end] if not MARKER.match(line)]


def code_lines(lines):
    """빈 줄과 주석만 있는 줄을 뺀 줄 수예요. 코드 뒤에 붙은 주석은 코드 줄로 세요."""
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


def count_table():
    return {name: {code: code_lines(section_lines(path, name)) for code, path in FILES.items()} for name in FEATURES}


# --8<-- [end:count]


if __name__ == "__main__":
    # --8<-- [start:table]
    table = count_table()
    print(f"{'PyTorch':>8} {'Lightning':>10}  기능")
    for name, counts in table.items():
        print(f"{counts['PyTorch']:>8} {counts['Lightning']:>10}  {FEATURES[name]}")
    totals = {code: sum(counts[code] for counts in table.values()) for code in FILES}
    print(f"{totals['PyTorch']:>8} {totals['Lightning']:>10}  합계")
    # --8<-- [end:table]
