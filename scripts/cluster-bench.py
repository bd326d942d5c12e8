#!/usr/bin/env python3
# scripts/cluster-bench.py MODE SCENARIO   (MODE single|cluster, SCENARIO relay|fanout)
# Starts one hub, or Redis (port 16390) and 2 (relay) or 3 (fan-out) hubs sharing it on ports
# 15000, 15010, 15020 (admin +1), runs scripts/stress against them for 25 s, and prints the relay's
# round-trip latency and the hub CPU per million frames out, summed over every hub, over 10 s of
# steady state; Redis's CPU apart. RATE=N paces the fan-out's publisher. JAR=path picks the build.
# Only ever on 127.0.0.1; needs redis-server on the PATH for the cluster. docs/benchmarks.md, issue 12.
import json, os, subprocess, sys, time, urllib.request, glob
mode, scen = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.environ.get('JAR', os.path.join(ROOT, 'hub-server/target/loft-hub.jar'))
n = 1 if mode == 'single' else (2 if scen == 'relay' else 3)
procs = []
redis = None
TCK = os.sysconf('SC_CLK_TCK')
def cpu(pid):
    f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / TCK
def stats(port):
    return json.load(urllib.request.urlopen(f'http://127.0.0.1:{port}/stats'))
if mode == 'cluster':
    redis = subprocess.Popen(['redis-server', '--port', '16390', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
for i in range(n):
    port = 15000 + 10 * i
    args = ['java', '-XX:+UseSerialGC', '-Xms32m', '-Xmx512m', '-Xmn16m', '-jar', JAR, '--port', str(port), '--admin-port', str(port + 1),
            '--rate-limit-per-second', '1000000', '--rate-limit-burst', '1000000', '--max-amplification', '100000']
    if mode == 'cluster':
        args += ['--redis', 'redis://127.0.0.1:16390', '--node-id', f'n{i}']
    procs.append(subprocess.Popen(args, stdout=open(f'/tmp/cl-hub{i}.log', 'w'), stderr=subprocess.STDOUT))
for i in range(n):
    for _ in range(100):
        try:
            urllib.request.urlopen(f'http://127.0.0.1:{15001 + 10 * i}/health'); break
        except Exception:
            time.sleep(0.1)
time.sleep(3 if mode == 'cluster' else 0.5)  # heartbeats: hubs know each other
out = f'/tmp/cl-{mode}-{scen}'
subprocess.run(['rm', '-rf', out])
cmd = ['scripts/stress', scen, '--url', 'ws://127.0.0.1:15000/', '--admin', 'http://127.0.0.1:15001', '--quiet', '--out', out, '--duration', '15']
if scen == 'relay':
    cmd += ['--pairs', '20', '--window', '1', '--payload', '256', '--rate-per-peer', '50']
    if n > 1:
        cmd += ['--url-b', 'ws://127.0.0.1:15010/']
else:
    cmd += ['--subscribers', '999', '--window', '10', '--payload', '100', '--rate', os.environ.get('RATE', '1000000')]
    if n > 1:
        for i in range(n):
            cmd += ['--subscriber-url', f'ws://127.0.0.1:{15000 + 10 * i}/']
cmd[cmd.index('--duration') + 1] = '25'
stress = subprocess.Popen(cmd, cwd=ROOT, stdout=open(out + '.log', 'w'), stderr=subprocess.STDOUT)
time.sleep(12)  # connected, discovered, warmed up (JIT): the window below is steady state
c0 = [cpu(p.pid) for p in procs]; r0 = cpu(redis.pid) if redis else 0
f0 = [stats(15001 + 10 * i)['framesOut'] for i in range(n)]
time.sleep(10)
c1 = [cpu(p.pid) for p in procs]; r1 = cpu(redis.pid) if redis else 0
f1 = [stats(15001 + 10 * i)['framesOut'] for i in range(n)]
stress.wait()
def threads(pid):
    rows = []
    for t in glob.glob(f'/proc/{pid}/task/*'):
        try:
            comm = open(t + '/comm').read().strip()
            f = open(t + '/stat').read().rsplit(')', 1)[1].split()
            rows.append(((int(f[11]) + int(f[12])) / TCK, comm))
        except Exception:
            pass
    return sorted(rows, reverse=True)[:6]
for p in procs: print('threads', p.pid, threads(p.pid), file=sys.stderr)
for p in procs: p.terminate()
for p in procs: p.wait()
if redis: redis.terminate(); redis.wait()
res = json.load(open(glob.glob(out + '/*.json')[0]))
def find(o, k):
    if isinstance(o, dict):
        if k in o: return o[k]
        for v in o.values():
            r = find(v, k)
            if r is not None: return r
    return None
hubcpu = sum(b - a for a, b in zip(c0, c1)); frames = sum(b - a for a, b in zip(f0, f1))
line = f'{mode} {scen} hubs={n} hubCPU={hubcpu:.2f}s redisCPU={r1 - r0:.2f}s framesOut={frames} cpuPerMillionOut={hubcpu / frames * 1e6:.2f}'
if scen == 'relay':
    rt = find(res, 'roundTrip')
    line += f' rtt={json.dumps(rt)}'
else:
    line += f' deliveriesPerSecond={find(res, "deliveriesPerSecond")}'
print(line)
