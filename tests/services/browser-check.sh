#!/bin/bash
# browser-check.sh HTML_FILE PNG_OUT [WIDTHxHEIGHT]: open a local HTML file in Debian's headless
# chromium, save a screenshot of the WIDTHxHEIGHT viewport (default 1280x800) to PNG_OUT, and
# fail (exit 1, printing the offending lines) when the page
#  - logged a console message of level warning or error (console.warn/error/assert, an uncaught
#    exception, or a browser message such as "Failed to load resource"),
#  - violated its Content-Security-Policy, or
#  - attempted any request other than the file itself (data:, blob: and about: URLs are fine;
#    other files count too: a report must be self-contained).
# Exit 0 clean, 1 findings, 2 the browser failed or timed out (CLOUDCTL_BROWSER_TIMEOUT, 30 s),
# 64 usage, 69 chromium or python3 missing.
#
# How: chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe: fd 3
# in, fd 4 out, NUL-terminated JSON) by the python3 below: no npm, no port, no log scraping
# (chromium's --enable-logging prints every console message as INFO:CONSOLE, whatever its
# level). Sources: Runtime.consoleAPICalled, Runtime.exceptionThrown, Log.entryAdded
# (browser-side messages, CSP violations included), a securitypolicyviolation listener
# injected before the page's scripts, and Network.requestWillBeSent. Nothing leaves the
# machine: all proxied requests go to a dead proxy (127.0.0.1:9), loopback included.
# Every chromium process is in a session of its own and is killed at the end (the crash
# handler, which makes its own session, by its command line naming our temporary profile).
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ $# = 2 ] || [ $# = 3 ] || { echo "usage: $0 HTML_FILE PNG_OUT [WIDTHxHEIGHT]" >&2; exit 64; }
[ -f "$1" ] || { echo "$0: $1: no such file" >&2; exit 64; }
[[ ${3:-1280x800} =~ ^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$ ]] || { echo "$0: size must be WIDTHxHEIGHT, not '$3'" >&2; exit 64; }
need_cmds "apt-get install -y --no-install-recommends chromium python3" chromium python3
# The binary itself, not the /usr/bin/chromium wrapper (which adds flags from /etc/chromium.d).
BIN=/usr/lib/chromium/chromium; [ -x "$BIN" ] || BIN=$(command -v chromium)
exec python3 - "$BIN" "$(realpath "$1")" "$2" "${3:-1280x800}" "${CLOUDCTL_BROWSER_TIMEOUT:-30}" <<'PY'
import base64, json, os, pathlib, selectors, shutil, signal, subprocess, sys, tempfile, time

binary, html, png, size, timeout = sys.argv[1:6]
width, height = (int(v) for v in size.split("x"))
timeout = float(timeout)
page_url = pathlib.Path(html).as_uri()
prog = "browser-check"
t_start = time.monotonic()
deadline = t_start + timeout

profile = tempfile.mkdtemp(prefix="cloudctl-chromium-")
to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()

def child_fds():
    # chromium reads commands on fd 3 and writes answers on fd 4
    a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
    os.dup2(a, 3, inheritable=True)
    os.dup2(b, 4, inheritable=True)

flags = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-breakpad", "--disable-crash-reporter",
    "--disable-default-apps", "--disable-dev-shm-usage", "--mute-audio", "--hide-scrollbars",
    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--user-data-dir=" + profile, "--window-size=%d,%d" % (width, height),
    "--remote-debugging-pipe", "about:blank",
]
log = open(os.path.join(profile, "chromium.log"), "wb")
# HOME in the profile too: chromium's crash handler keeps its database under $HOME/.config
env = dict(os.environ, HOME=profile, XDG_CONFIG_HOME=profile + "/.config",
           XDG_CACHE_HOME=profile + "/.cache")
proc = subprocess.Popen([binary] + flags, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                        close_fds=False, preexec_fn=child_fds, start_new_session=True, env=env)
os.close(to_chrome_r); os.close(from_chrome_w)

def cleanup():
    try:
        proc.wait(timeout=5)  # after Browser.close chromium ends its children itself
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the browser's own session: all its children
    except ProcessLookupError:
        pass
    proc.wait()
    # chrome_crashpad_handler starts a session of its own (it ends when the browser has gone,
    # but not always at once): find it, and any other straggler, by our unique profile path
    mark = profile.encode()
    for pid in (d for d in os.listdir("/proc") if d.isdigit() and int(d) != os.getpid()):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if mark in f.read():
                    os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass
    shutil.rmtree(profile, ignore_errors=True)

def die(msg):
    tail = b""
    try:
        tail = open(os.path.join(profile, "chromium.log"), "rb").read()[-2000:]
    except OSError:
        pass
    cleanup()
    tail = "".join(l for l in tail.decode(errors="replace").splitlines(True) if "dbus" not in l)
    sys.stderr.write("%s: %s\n%s" % (prog, msg, tail))
    sys.exit(2)

sel = selectors.DefaultSelector()
sel.register(from_chrome_r, selectors.EVENT_READ)
buf = b""
events = []       # every event, in order
answers = {}
next_id = 0

def pump(until):
    """read messages until `until` seconds from now (or the deadline)"""
    global buf
    end = min(time.monotonic() + until, deadline)
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        if not sel.select(left):
            return
        chunk = os.read(from_chrome_r, 1 << 20)
        if not chunk:
            die("chromium closed the DevTools pipe (exit %s)" % proc.poll())
        buf += chunk
        while b"\0" in buf:
            raw, buf = buf.split(b"\0", 1)
            msg = json.loads(raw)
            if "id" in msg:
                answers[msg["id"]] = msg
            else:
                events.append(msg)
        return

def send(method, session=None, **params):
    global next_id
    next_id += 1
    msg = {"id": next_id, "method": method, "params": params}
    if session:
        msg["sessionId"] = session
    os.write(to_chrome_w, json.dumps(msg).encode() + b"\0")
    while next_id not in answers:
        if time.monotonic() >= deadline:
            die("timed out after %gs waiting for %s" % (timeout, method))
        pump(deadline - time.monotonic())
    ans = answers.pop(next_id)
    if "error" in ans:
        die("%s: %s" % (method, ans["error"]))
    return ans["result"]

try:
    target = send("Target.createTarget", url="about:blank")["targetId"]
    s = send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        send(domain + ".enable", s)
    send("Emulation.setDeviceMetricsOverride", s, width=width, height=height,
         deviceScaleFactor=1, mobile=False)
    # runs before the page's own scripts, in the page's world, and is exempt from its CSP
    send("Page.addScriptToEvaluateOnNewDocument", s, source="""
      document.addEventListener('securitypolicyviolation', e => console.error(
        'CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') +
        ' at ' + e.sourceFile + ':' + e.lineNumber), true);""")
    nav = send("Page.navigate", s, url=page_url)
    if nav.get("errorText"):
        die("cannot open %s: %s" % (page_url, nav["errorText"]))
    # wait for the load event, then until the network has been idle for 500 ms
    while not any(e["method"] == "Page.loadEventFired" for e in events):
        if time.monotonic() >= deadline:
            die("timed out after %gs waiting for the load event" % timeout)
        pump(deadline - time.monotonic())
    while True:
        inflight = set()
        for e in events:
            if e["method"] == "Network.requestWillBeSent":
                inflight.add(e["params"]["requestId"])
            elif e["method"] in ("Network.loadingFinished", "Network.loadingFailed"):
                inflight.discard(e["params"]["requestId"])
        n = len(events)
        pump(0.5)
        if not inflight and len(events) == n:
            break
        if time.monotonic() >= deadline:
            break  # judge what was seen; the screenshot still says how far it got
    shot = send("Page.captureScreenshot", s, format="png")["data"]
    with open(png, "wb") as f:
        f.write(base64.b64decode(shot))
    send("Browser.close")
except (OSError, ValueError) as err:
    die("DevTools protocol: %s" % err)

def where(url, line):
    return " (%s:%s)" % (url, line + 1 if isinstance(line, int) else "?") if url else ""

def arg_text(a):
    if "value" in a:
        return a["value"] if isinstance(a["value"], str) else json.dumps(a["value"])
    return a.get("description") or a.get("unserializableValue") or a.get("type", "?")

bad = []
for e in events:
    m, p = e["method"], e.get("params", {})
    if m == "Runtime.consoleAPICalled" and p["type"] in ("warning", "error", "assert"):
        frames = (p.get("stackTrace") or {}).get("callFrames") or [{}]
        bad.append("console.%s: %s%s" % (p["type"], " ".join(arg_text(a) for a in p["args"]),
                   where(frames[0].get("url"), frames[0].get("lineNumber"))))
    elif m == "Runtime.exceptionThrown":
        d = p["exceptionDetails"]
        text = (d.get("exception") or {}).get("description") or d.get("text")
        bad.append("uncaught exception: %s%s" % (text, where(d.get("url"), d.get("lineNumber"))))
    elif m == "Log.entryAdded" and p["entry"]["level"] in ("warning", "error"):
        en = p["entry"]
        bad.append("%s %s: %s%s" % (en["source"], en["level"], en["text"],
                   where(en.get("url"), en.get("lineNumber"))))
    elif m == "Network.requestWillBeSent":
        url = p["request"]["url"]
        if url != page_url and not url.startswith(("data:", "blob:", "about:")):
            bad.append("request: %s %s (initiator: %s)" % (p["request"]["method"], url,
                       p.get("initiator", {}).get("type")))
cleanup()
ms = int((time.monotonic() - t_start) * 1000)
if bad:
    print("%s: FAIL %s (%d findings; screenshot in %s, %d ms)" % (prog, html, len(bad), png, ms))
    for b in bad:
        print("  " + " ".join(b.split()))  # one line each (exception descriptions have several)
    sys.exit(1)
print("%s: OK %s, screenshot %s (%dx%d), %d ms" % (prog, html, png, width, height, ms))
PY
