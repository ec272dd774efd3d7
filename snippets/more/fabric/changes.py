"""Fabric: the lines of step 3's loop that the Fabric loop changed, found by comparing the two files' functions."""

# --8<-- [start:changes]
import difflib
import inspect

from snippets.more.fabric import fabric as fabric_loop
from snippets.steps.training import pytorch as step3_loop

PAIRS = [  # (3단계의 함수, Fabric 반복문에서 같은 일을 하는 함수)
    ("train_one_epoch", "train_one_epoch"),
    ("evaluate", "evaluate"),
    ("pick_device", "make_fabric"),
    ("fit", "fit"),
]


def changed_lines(old_function, new_function):
    """두 함수의 소스에서 빠진 줄(-)과 더해진 줄(+)만 골라요. 같은 줄은 보여 주지 않아요."""
    old = inspect.getsource(old_function).splitlines()
    new = inspect.getsource(new_function).splitlines()
    return [
        line
        for line in difflib.unified_diff(old, new, lineterm="", n=0)
        if line[:1] in "-+" and not line.startswith(("---", "+++"))
    ]


def print_changes():
    for old_name, new_name in PAIRS:
        lines = changed_lines(getattr(step3_loop, old_name), getattr(fabric_loop, new_name))
        print(f"[{old_name} -> {new_name}] 바뀐 줄 {len(lines)}개")
        for line in lines:
            print(f"  {line}")


# --8<-- [end:changes]


if __name__ == "__main__":
    # --8<-- [start:diff]
    print_changes()
    # --8<-- [end:diff]
