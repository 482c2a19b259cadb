"""Python's filelock (Debian's python3-filelock) for `npm run bench`.

Same command line and JSON-lines protocol as bench/worker.ts and flock-bench.c:
    filelock_bench.py TASK TARGET [N]      (the lock file is TARGET.lock)
filelock.FileLock is used as documented: acquire() waits (it polls a non-blocking flock every 50 ms).
"""
import json
import sys
import time

from filelock import FileLock


def say(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def increment(target):
    try:
        with open(target) as f:
            count = json.loads(f.read())["count"]
    except ValueError:
        return 1
    with open(target, "w") as f:
        f.write(json.dumps({"count": count + 1}, separators=(",", ":")))
    return 0


def main():
    task, target = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    lock = FileLock(target + ".lock")
    if task == "uncontended":
        for _ in range(100):
            lock.acquire()
            lock.release()
        ops = 0
        start = time.perf_counter()
        while True:
            for _ in range(100):
                lock.acquire()
                lock.release()
            ops += 100
            elapsed = time.perf_counter() - start
            if elapsed * 1e3 >= n:
                break
        say({"type": "result", "usPerOp": elapsed * 1e6 / ops, "ops": ops})
    elif task == "contended":
        waits = []
        torn = 0
        say({"type": "ready"})
        sys.stdin.readline()
        start = time.time() * 1e3
        for _ in range(n):
            t0 = time.perf_counter()
            lock.acquire()
            waits.append((time.perf_counter() - t0) * 1e3)
            torn += increment(target)
            lock.release()
        end = time.time() * 1e3
        say({"type": "result", "start": start, "end": end, "torn": torn, "waits": waits})
    elif task == "hold":
        lock.acquire()
        say({"type": "held"})
        sys.stdin.readline()
        lock.release()
        say({"type": "released"})
    elif task == "wait":
        say({"type": "waiting"})
        lock.acquire()
        say({"type": "acquired", "at": time.time() * 1e3})
        lock.release()
    else:
        sys.exit("unknown task " + task)


if __name__ == "__main__":
    main()
