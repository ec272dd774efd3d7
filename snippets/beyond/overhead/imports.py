"""What the page's "시작" leaves out: importing the libraries, timed in fresh Python processes."""

# --8<-- [start:imports]
import json
import statistics
import subprocess
import sys

IMPORT_REPEATS = 3  # 새 Python을 몇 번 띄워서 잴지

# 새 Python이 할 일: torch를 import하고, 그 위에 Lightning과 torchmetrics를 import하며 시각을 적어요
IMPORT_CLOCK = """
import json, time
start = time.perf_counter()
import torch
middle = time.perf_counter()
import pytorch_lightning, torchmetrics
print(json.dumps({"torch": middle - start, "lightning": time.perf_counter() - middle}))
"""


def time_imports(repeats=IMPORT_REPEATS):
    """import에 든 시간(초)의 중앙값이에요. {"torch": torch만, "lightning": 그 위에 Lightning과 torchmetrics}"""
    runs = []
    for _ in range(repeats):
        child = subprocess.run([sys.executable, "-c", IMPORT_CLOCK], capture_output=True, text=True, check=True)
        runs.append(json.loads(child.stdout))
    return {name: statistics.median(run[name] for run in runs) for name in ("torch", "lightning")}


def print_imports(imports, startup_difference):
    print(f"새 Python에서 import에 든 시간 ({IMPORT_REPEATS}번의 중앙값)")
    print(f"  torch: {imports['torch']:.2f}초")
    print(f"  그다음 pytorch_lightning과 torchmetrics: {imports['lightning']:.2f}초")
    times = imports["lightning"] / startup_difference
    print(f"Lightning의 import는 표에서 시작에 더 든 시간({startup_difference:.3f}초)의 {times:.0f}배예요.")


# --8<-- [end:imports]
