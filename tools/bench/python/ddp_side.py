# PyTorch side of `npm run bench parallel`: examples/s of plain training (1 or 2 intra-op threads)
# and of DistributedDataParallel over 2 CPU processes (gloo, 1 thread each) on the same model
# shapes and batch, synthetic data. Prints one JSON line: {"seconds": ..., "examples": ...}.
#   python3 ddp_side.py <mlp|cnn> <batch> <steps> <single1|single2|ddp2>
import json, os, sys, time
import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def model(kind):
    if kind == 'mlp':
        return torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(32 * 49, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))


def data(kind, n):
    g = torch.Generator().manual_seed(0)
    x = torch.rand((n, 784) if kind == 'mlp' else (n, 1, 28, 28), generator=g)
    return x, torch.randint(0, 10, (n,), generator=g)


def train(net, x, y, steps, warmup=3):
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    for i in range(warmup + steps):
        if i == warmup:
            start = time.perf_counter()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    return time.perf_counter() - start


def ddp_worker(rank, world, kind, batch, steps, port, out):
    torch.set_num_threads(1)
    os.environ['MASTER_ADDR'] = '127.0.0.1'
    os.environ['MASTER_PORT'] = str(port)
    dist.init_process_group('gloo', rank=rank, world_size=world)
    torch.manual_seed(0)
    net = torch.nn.parallel.DistributedDataParallel(model(kind))
    x, y = data(kind, batch)
    shard = batch // world
    seconds = train(net, x[rank * shard:(rank + 1) * shard], y[rank * shard:(rank + 1) * shard], steps)
    if rank == 0:
        out.put(seconds)
    dist.destroy_process_group()


def main():
    kind, batch, steps, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    if mode.startswith('single'):
        torch.set_num_threads(int(mode[-1]))
        torch.manual_seed(0)
        x, y = data(kind, batch)
        seconds = train(model(kind), x, y, steps)
    else:
        import socket
        s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
        ctx = mp.get_context('spawn')
        out = ctx.Queue()
        world = int(mode[-1])
        procs = [ctx.Process(target=ddp_worker, args=(r, world, kind, batch, steps, port, out)) for r in range(world)]
        for p in procs: p.start()
        seconds = out.get()
        for p in procs: p.join()
    print(json.dumps({'seconds': seconds, 'examples': batch * steps}))


if __name__ == '__main__':
    main()
