"""Data-parallel training by hand: two CPU processes (gloo), DistributedSampler, DDP and all-reduce."""

# --8<-- [start:worker]
import os
import socket
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from snippets.steps.data.pytorch import BATCH_SIZE, SEED, build_dataloaders
from snippets.steps.model.pytorch import SimpleNN

WORLD_SIZE = 2  # 프로세스 수
EPOCHS = 1
LEARNING_RATE = 0.001


def find_free_port():
    # 운영체제에게 비어 있는 포트 하나를 받아요. rank 0이 이 포트에서 다른 rank를 기다려요.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        # 다른 rank가 이 주소에 닿는지 먼저 접속해 봐요. 닿지 않으면(네트워크가 꺼져 있으면) rank들이
        # 서로를 한참 기다리는 대신, 여기서 바로 그 까닭을 담은 오류가 나요.
        socket.create_connection(sock.getsockname(), timeout=10).close()
        return sock.getsockname()[1]


def print_in_rank_order(text):
    # rank 0, 1, ... 차례로 출력해요. barrier는 모든 rank가 도착할 때까지 기다리는 곳이에요.
    for turn in range(dist.get_world_size()):
        if turn == dist.get_rank():
            print(f"[rank {dist.get_rank()}] {text}", flush=True)
        dist.barrier()


def all_reduce_sums(*values):
    # 모든 rank의 값을 더해서, 더한 결과를 모든 rank에게 돌려줘요(all-reduce, 기본 연산은 합).
    totals = torch.tensor(values, dtype=torch.float64)
    dist.all_reduce(totals)
    return totals.tolist()


def shard_loader(dataset, batch_size, shuffle):
    # DistributedSampler가 데이터셋을 rank 수만큼 나눠, 이 rank의 몫만 꺼내 줘요.
    sampler = DistributedSampler(dataset, shuffle=shuffle, seed=SEED)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler)


def train_worker(rank, world_size, port, folder, epochs=EPOCHS):
    os.environ["MASTER_ADDR"] = "127.0.0.1"  # rank 0이 있는 컴퓨터
    os.environ["MASTER_PORT"] = str(port)  # rank 0이 기다리는 포트
    dist.init_process_group("gloo", rank=rank, world_size=world_size)  # CPU용 통신 백엔드
    torch.set_num_threads(1)  # 프로세스마다 스레드 하나: 코어를 서로 빼앗지 않게

    train_loader, val_loader = build_dataloaders()  # 1단계와 같은 훈련/검증 분할
    batch_size = BATCH_SIZE // world_size  # rank마다 16장: 한 스텝에 모두 합쳐 32장
    train_shard = shard_loader(train_loader.dataset, batch_size, shuffle=True)
    val_shard = shard_loader(val_loader.dataset, batch_size, shuffle=False)
    first = list(train_shard.sampler)[:6]
    print_in_rank_order(f"훈련 이미지 {len(train_shard.sampler):,}장(배치 {len(train_shard)}개), 처음 인덱스 {first}")

    torch.manual_seed(SEED)
    model = DistributedDataParallel(SimpleNN())  # 기울기를 rank끼리 평균 내는 포장
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    for epoch in range(epochs):
        train_shard.sampler.set_epoch(epoch)  # 에폭마다 다르게 섞어요(모든 rank가 같은 순서로)
        model.train()
        loss_sum, count = 0.0, 0
        for images, labels in train_shard:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()  # 여기서 기울기를 all-reduce로 평균 내요
            optimizer.step()
            loss_sum += loss.item() * len(labels)
            count += len(labels)

        model.eval()
        val_sum, correct, val_count = 0.0, 0, 0
        with torch.no_grad():
            for images, labels in val_shard:
                outputs = model(images)
                val_sum += loss_fn(outputs, labels).item() * len(labels)
                correct += (outputs.argmax(dim=1) == labels).sum().item()
                val_count += len(labels)

        total_sum, total_count, val_sum, correct, val_count = all_reduce_sums(
            loss_sum, count, val_sum, correct, val_count
        )
        print_in_rank_order(
            f"Epoch {epoch}: 내 몫 train_loss={loss_sum / count:.4f} | 전체 train_loss={total_sum / total_count:.4f}, "
            f"val_loss={val_sum / val_count:.4f}, val_acc={correct / val_count:.4f}"
        )

    torch.save(model.module.state_dict(), Path(folder) / f"rank{rank}.pt")  # 비교해 보려고 저장해요
    dist.destroy_process_group()


def largest_difference(weights_a, weights_b):
    return max((weights_a[name] - weights_b[name]).abs().max().item() for name in weights_a)


# --8<-- [end:worker]


if __name__ == "__main__":
    # --8<-- [start:spawn]
    import tempfile

    import torch.multiprocessing as mp

    port = find_free_port()
    with tempfile.TemporaryDirectory() as folder:
        mp.spawn(train_worker, args=(WORLD_SIZE, port, folder), nprocs=WORLD_SIZE)  # rank 0과 1을 시작해요
        weights = [torch.load(Path(folder) / f"rank{rank}.pt", weights_only=True) for rank in range(WORLD_SIZE)]
    print(f"두 rank의 파라미터 차이(가장 큰 값): {largest_difference(weights[0], weights[1])}")
    # --8<-- [end:spawn]

    # --8<-- [start:single]
    with tempfile.TemporaryDirectory() as folder:
        train_worker(0, 1, find_free_port(), folder)  # 이 프로세스 하나로: world_size=1, 배치 32장
        single = torch.load(Path(folder) / "rank0.pt", weights_only=True)
    print(f"프로세스 하나로 훈련한 파라미터와의 차이(가장 큰 값): {largest_difference(weights[0], single):.1e}")
    # --8<-- [end:single]
