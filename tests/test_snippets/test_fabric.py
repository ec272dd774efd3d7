"""Lightning Fabric: step 3's loop with Fabric trains exactly as step 3 does, with no .to() of its own.

The Fabric loop is checked on a small slice of the data (fast), against step 3's own `fit`; the page's comparison
runs once as the page runs it (five epochs of each loop) to check what it prints. The highlighted lines of the
page's code block are the lines that differ from step 3's loop, computed here from both files.
"""

import difflib
import re
from pathlib import Path

import torch
from lightning_fabric.strategies import SingleDeviceStrategy
from lightning_fabric.wrappers import _FabricDataLoader, _FabricModule, _FabricOptimizer
from torch.utils.data import DataLoader, RandomSampler, Subset

from snippets.more.fabric import fabric as fabric_file
from snippets.more.fabric.changes import PAIRS, changed_lines, print_changes
from snippets.more.fabric.compare import train_both
from snippets.more.fabric.fabric import make_fabric
from snippets.steps.data.pytorch import BATCH_SIZE, SEED, build_dataloaders
from snippets.steps.model.pytorch import SimpleNN
from snippets.steps.training import pytorch as step3
from snippets.summary.compare import max_weight_difference
from tests.test_snippets.main_runs import main_run_fixture, on_cpu, printed_lines, run_main

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "more" / "fabric.md"
EPOCH_LINE = re.compile(r"^Epoch (\d): train_loss=\d\.\d{4}, val_loss=\d\.\d{4}, val_acc=\d\.\d{4}$")


def section(path: Path, name: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    inside = text.split(f"# --8<-- [start:{name}]\n", 1)[1].split(f"# --8<-- [end:{name}]", 1)[0]
    lines = inside.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


FABRIC_LOOP = section(ROOT / "snippets" / "more" / "fabric" / "fabric.py", "loop")
STEP3_LOOP = section(ROOT / "snippets" / "steps" / "training" / "pytorch.py", "loop")


def small_loaders():
    """The guide's loaders cut to 8 training and 2 validation batches, shuffled as step 1 shuffles."""
    train_loader, val_loader = build_dataloaders()
    train_set = Subset(train_loader.dataset, range(8 * BATCH_SIZE))
    val_set = Subset(val_loader.dataset, range(2 * BATCH_SIZE))
    generator = torch.Generator().manual_seed(SEED)
    return (
        DataLoader(train_set, batch_size=BATCH_SIZE, shuffle=True, generator=generator),
        DataLoader(val_set, batch_size=BATCH_SIZE),
    )


compare_run = main_run_fixture("snippets.more.fabric.compare")


# --- the loop's source ---------------------------------------------------------------------------------------


def test_the_fabric_loop_moves_nothing_itself():
    code = "\n".join(FABRIC_LOOP)
    assert ".to(" not in code
    statements = "\n".join(line.split("#")[0] for line in FABRIC_LOOP)  # the comments mention loss.backward()
    assert "fabric.backward(loss)" in statements and "loss.backward()" not in statements
    assert "fabric.setup(model, optimizer)" in code
    assert "fabric.setup_dataloaders(train_loader, val_loader)" in code


def test_the_page_highlights_exactly_the_lines_that_differ_from_step_3():
    matcher = difflib.SequenceMatcher(a=STEP3_LOOP, b=FABRIC_LOOP, autojunk=False)
    changed = [
        line
        for tag, _, _, start, end in matcher.get_opcodes()
        if tag in ("replace", "insert")
        for line in range(start + 1, end + 1)
    ]
    fence = re.search(r'hl_lines="([\d ]+)"\n--8<-- "snippets/more/fabric/fabric.py:loop"', PAGE.read_text("utf-8"))
    assert fence, "the page shows the Fabric loop with hl_lines"
    assert [int(number) for number in fence[1].split()] == changed
    assert any("fabric.backward" in FABRIC_LOOP[number - 1] for number in changed)
    # the printed diff's added lines are the highlighted lines inside the functions: all but the two imports
    added = [
        line[1:]
        for old, new in PAIRS
        for line in changed_lines(getattr(step3, old), getattr(fabric_file, new))
        if line.startswith("+")
    ]
    highlighted = [FABRIC_LOOP[number - 1] for number in changed]
    assert [line for line in highlighted if not line.startswith(("import ", "from "))] == added
    assert len(highlighted) - len(added) == 2


def test_the_printed_changes_are_the_diff_of_the_functions(capsys):
    print_changes()
    printed = capsys.readouterr().out.splitlines()
    headers = [line for line in printed if line.startswith("[")]
    assert [line.split("]")[0] for line in headers] == [f"[{old} -> {new}" for old, new in PAIRS]
    train_changes = changed_lines(step3.train_one_epoch, fabric_file.train_one_epoch)
    assert any(line.startswith("-") and "loss.backward()" in line for line in train_changes)
    assert any(line.startswith("+") and "fabric.backward(loss)" in line for line in train_changes)
    for old, new in PAIRS:
        lines = changed_lines(getattr(step3, old), getattr(fabric_file, new))
        assert f"[{old} -> {new}] 바뀐 줄 {len(lines)}개" in printed
        assert not any(line.startswith("+") and ".to(" in line for line in lines)
    assert changed_lines(step3.evaluate, fabric_file.evaluate) == [
        "-def evaluate(model, loader, loss_fn, device):",
        "+def evaluate(model, loader, loss_fn):",
        "-            images, labels = images.to(device), labels.to(device)",
    ]


# --- what Fabric does ----------------------------------------------------------------------------------------


def test_make_fabric_uses_one_device_of_step_3s_kind_at_32_bits():
    fabric = make_fabric()
    assert fabric.device.type == step3.pick_device().type
    assert fabric.world_size == 1
    assert isinstance(fabric.strategy, SingleDeviceStrategy)
    assert fabric.strategy.precision.precision == "32-true"


def test_fabric_puts_the_model_and_the_batches_on_its_device():
    fabric = make_fabric()
    torch.manual_seed(SEED)
    model = SimpleNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=step3.LEARNING_RATE)
    wrapped_model, wrapped_optimizer = fabric.setup(model, optimizer)
    train_loader, val_loader = small_loaders()
    wrapped_train, wrapped_val = fabric.setup_dataloaders(train_loader, val_loader)
    assert isinstance(wrapped_model, _FabricModule) and wrapped_model.module is model
    assert isinstance(wrapped_optimizer, _FabricOptimizer) and wrapped_optimizer.optimizer is optimizer
    assert isinstance(wrapped_train, _FabricDataLoader)
    assert all(parameter.device == fabric.device for parameter in model.parameters())
    for loader in (wrapped_train, wrapped_val):
        images, labels = next(iter(loader))
        assert images.device == labels.device == fabric.device
    # one device: the sampler and its generator are step 1's, untouched
    assert wrapped_train.sampler is train_loader.sampler
    assert isinstance(wrapped_train.sampler, RandomSampler)


def test_the_inside_block_prints_what_fabric_set_up(tmp_path_factory):
    run = run_main("snippets.more.fabric.fabric", tmp_path_factory)
    lines = printed_lines(run)
    device = str(run.namespace["fabric"].device)
    assert lines == [
        f"Fabric이 고른 장치: {device}",
        "정밀도: 32-true, 파라미터의 자료형: torch.float32",
        "모델: SimpleNN -> _FabricModule",
        "옵티마이저: Adam -> FabricAdam",
        "데이터로더: DataLoader -> _FabricDataLoader",
        f"모델의 파라미터가 있는 장치: {device}",
        f"첫 배치가 있는 장치: images {device}, labels {device}",
        "훈련 데이터로더의 샘플러: RandomSampler",
        "샘플러는 원래 것 그대로인가요? True",
        "감싼 모델 안의 모델은 원래 모델인가요? True",
    ]
    assert run.left_files == ()


def test_the_fabric_loop_trains_as_step_3_does(capsys):
    torch_model, torch_history, fabric_model, fabric_history = train_both(epochs=2, make_loaders=small_loaders)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "3단계의 PyTorch 반복문" and printed[3] == "Fabric 반복문"
    assert all(EPOCH_LINE.match(line) for line in printed[1:3] + printed[4:6])
    if on_cpu():
        assert torch_history == fabric_history
        assert max_weight_difference(torch_model, fabric_model) == 0.0
    else:
        assert max_weight_difference(torch_model, fabric_model) <= 1e-5
    assert next(fabric_model.parameters()).device.type == step3.pick_device().type


# --- the page's comparison -----------------------------------------------------------------------------------


def test_the_comparison_prints_both_loops_and_no_difference_on_cpu(compare_run):
    lines = printed_lines(compare_run, after="3단계의 PyTorch 반복문")
    epochs = step3.EPOCHS
    torch_lines, fabric_lines = lines[1 : epochs + 1], lines[epochs + 2 : 2 * epochs + 2]
    assert lines[epochs + 1] == "Fabric 반복문"
    assert [EPOCH_LINE.match(line)[1] for line in torch_lines] == [str(epoch) for epoch in range(epochs)]
    assert [EPOCH_LINE.match(line)[1] for line in fabric_lines] == [str(epoch) for epoch in range(epochs)]
    assert len(lines) == 2 * epochs + 4
    difference = float(re.fullmatch(r"두 모델 파라미터의 최대 차이: (\S+)", lines[-1])[1])
    if on_cpu():
        assert torch_lines == fabric_lines
        assert lines[-2] == "에폭마다의 손실과 정확도가 같은가요? True"
        assert lines[-1] == "두 모델 파라미터의 최대 차이: 0.0"
    assert difference <= 1e-5
    assert compare_run.left_files == ()
