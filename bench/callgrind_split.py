"""Instructions per item from a callgrind profile: exclusive cost by library (through
callgrind_annotate), and inclusive cost and calls per item of sluice's main steps.
Usage: callgrind_split.py CALLGRIND_OUT N_ITEMS [--libraries-only]"""
import collections
import re
import subprocess
import sys

path, n = sys.argv[1], int(sys.argv[2])
ann = subprocess.run(['callgrind_annotate', '--inclusive=no', '--threshold=100', path],
                     capture_output=True, text=True, check=True).stdout
libs = collections.Counter()
for line in ann.splitlines():
    m = re.match(r'^\s*([\d,]+) \(\s*[\d.]+%\) .*\[(.*)\]$', line)
    if m:
        libs[m.group(2).split('/')[-1]] += int(m.group(1).replace(',', ''))
total = sum(libs.values())
print('  %9.0f instructions per item in all' % (total / n))
for lib, c in libs.most_common():
    if c * 200 >= total:
        print('  %9.0f %5.1f%%  %s' % (c / n, 100 * c / total, lib))
if '--libraries-only' in sys.argv:
    sys.exit(0)

# Inclusive cost of each called function: the cost lines that follow its calls= lines.
names = {}


def name(text):
    m = re.match(r'\((\d+)\)(?: (.*))?', text)
    if not m:
        return text
    if m.group(2):
        names[m.group(1)] = m.group(2)
    return names.get(m.group(1), text)


calls = collections.Counter()
inclusive = collections.Counter()
callee = pending = None
with open(path) as f:
    for line in f:
        line = line.rstrip('\n')
        if line.startswith('cfn='):
            callee = name(line[4:])
        elif line.startswith('fn='):
            name(line[3:])
        elif line.startswith('calls='):
            calls[callee] += int(line[6:].split()[0])
            pending = callee
        elif pending is not None:
            parts = line.split()
            if len(parts) >= 2:
                inclusive[pending] += int(parts[1])
            pending = None
steps = re.compile(
    r'^(sluice::(SqliteQueue::(lease|apply|enqueue)|Engine::(refill|start_ready|commit|on_fetched|'
    r'on_stored)|CurlFetcher::(start|collect_done)|Transfer::(start|body)|FolderStore::store|'
    r'parse_url|sha256_hex|Sha256::(init|update|final_hex)|make_job|KeyTemplate::render|'
    r'check_content)\(|sluice::\(anonymous namespace\)::JsonlParser::parse|'
    r'(curl_multi_perform|curl_multi_poll|curl_easy_init|curl_easy_cleanup|sqlite3_step|malloc|'
    r'EVP_MD_fetch)$)')
print('  inclusive, per item:')
for fn, c in sorted(calls.items(), key=lambda kv: -inclusive[kv[0]]):
    if steps.search(fn):
        print('  %9.0f instr %7.2f calls  %s' % (inclusive[fn] / n, c / n, re.sub(r'\((?!anonymous).*$', '', fn)[:70]))
