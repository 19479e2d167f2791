#!/usr/bin/env python3
"""Score scripted conversations (eval/conversations.jsonl) through `qmbot chat --json`.

usage: python3 eval/score_chat.py eval/conversations.jsonl [--bin target/release/qmbot]
Each line: {"id":…, "turns":[{"q":…, "found":bool, "year":int|null, "must":[…]}, …]}.
Every conversation runs as one `chat --json` process; each turn is checked the
way ../shared/eval/score.py checks a question. Prints failures and `score: P/N`.
"""
import json, re, shlex, subprocess, sys

def norm(s):
    return re.sub(r"\s+", "", s or "")

args = sys.argv[1:]
path = args[0]
binp = args[args.index("--bin") + 1] if "--bin" in args else "target/release/qmbot"
ok = total = 0
for line in open(path, encoding="utf-8"):
    if not line.strip():
        continue
    conv = json.loads(line)
    inp = "\n".join(t["q"] for t in conv["turns"]) + "\n"
    p = subprocess.run(shlex.split(binp) + ["chat", "--json"], input=inp, capture_output=True, text=True, timeout=60)
    outs = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    for i, t in enumerate(conv["turns"]):
        total += 1
        o = outs[i] if i < len(outs) else None
        why = None
        if o is None:
            why = "no answer"
        elif t.get("found", True) is False:
            if o.get("found") is not False:
                why = "should say not found; answered: " + norm(o.get("answer"))[:80]
        elif o.get("found") is not True:
            why = "said not found"
        else:
            ans = norm(o.get("answer"))
            miss = [m for m in t.get("must", []) if norm(m) not in ans]
            years = {c.get("year") for c in o.get("citations") or []}
            if miss:
                why = f"missing {miss}; answer: {ans[:80]}"
            elif t.get("year") is not None and t["year"] not in years:
                why = f"no citation of {t['year']} (cited {sorted(y for y in years if y)})"
        if why:
            print(f"FAIL {conv['id']}#{i+1} {t['q']} -> {why}")
        else:
            ok += 1
print(f"score: {ok}/{total} ({100*ok/max(total,1):.0f}%)")
