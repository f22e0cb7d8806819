"""CPU per image from `perf record -e cpu-clock` samples, split by thread (the engine's loop
is the process's main thread; the rest are the store's put workers) and by library.
Usage: perf_split.py PERF_DATA N_IMAGES PERIOD_US TOP  (PERIOD_US = 1e6 / perf's -F)"""
import collections
import re
import subprocess
import sys

data, n, period_us, top = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
out = subprocess.run(['perf', 'script', '-i', data, '-F', 'pid,tid,ip,sym,dso'],
                     capture_output=True, text=True, check=True).stdout
total = collections.Counter()
by_dso = collections.Counter()
by_sym = collections.Counter()
for line in out.splitlines():
    parts = line.split()
    if len(parts) < 3 or '/' not in parts[0]:
        continue
    pid, tid = parts[0].split('/')
    thread = 'engine loop thread' if pid == tid else 'store worker threads'
    m = re.search(r'\(([^)]*)\)\s*$', line)
    dso = m.group(1).split('/')[-1] if m else '?'
    sym = re.sub(r'\+0x[0-9a-f]+$', '', ' '.join(parts[2:-1]) if m else ' '.join(parts[2:]))
    total[thread] += 1
    by_dso[(thread, dso)] += 1
    by_sym[(thread, dso, sym)] += 1
for thread in sorted(total):
    t = total[thread]
    print('%s: %.0f us CPU per image (%d samples)' % (thread, t * period_us / n, t))
    for (th, dso), c in by_dso.most_common():
        if th == thread and c * 100 >= t:
            print('  %5.1f%% %7.1f us/img  %s' % (100 * c / t, c * period_us / n, dso))
    print('  top symbols:')
    for (th, dso, sym), c in [x for x in by_sym.most_common() if x[0][0] == thread][:top]:
        print('  %5.1f%% %7.1f us/img  %-22s %s' % (100 * c / t, c * period_us / n, dso[:22], sym[:60]))
