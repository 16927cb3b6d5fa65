#!/usr/bin/env bash
# Smoke test of the frozen app (make bundle runs it on dist/desk_app/desk_app): on a fresh
# SQLite demo database, every command family with its exit status checked, every register
# exported in every format it supports, every exported PDF verified, then the GUI offscreen:
# the sign-in window, and every page of every demo user (DESK_SMOKE_PAGES, desk_app/ui/smoke.py)
# with label sheets and a PDF preview. Finally the audit chain must be intact and the log free
# of errors. Any failure prints the step's output and the log's tail, and exits non-zero.
#
#   scripts/smoke-bundle.sh dist/desk_app/desk_app
set -euo pipefail

app=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$work/out"
mkdir -p "$out" "$work/remind" "$work/exports"
export DESK_LOG_DIR="$work/log" DESK_DB="sqlite:///$work/smoke.db" DESK_LANG=en
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state"
export QT_QPA_PLATFORM=offscreen
unset DESK_USER DESK_PASSWORD DESK_SMOKE_PAGES DESK_EXIT_AFTER_LOGIN_SHOWN
DEMO_PASSWORD=demo1234
count=0
started=$SECONDS

fail() {
    echo "SMOKE FAILED: $*" >&2
    if [[ -s "$out/last" ]]; then
        echo "--- output of the step:" >&2
        tail -n 40 "$out/last" >&2
    fi
    if [[ -s "$DESK_LOG_DIR/desk_app.log" ]]; then
        echo "--- tail of $DESK_LOG_DIR/desk_app.log:" >&2
        tail -n 40 "$DESK_LOG_DIR/desk_app.log" >&2
    fi
    exit 1
}

# expect CODE TITLE [VAR=value …] -- ARGS…: run the frozen app with ARGS (and the variables),
# its exit status must be CODE; stdout and stderr go to $out/last.
expect() {
    local code=$1 title=$2 status=0
    shift 2
    local vars=()
    while [[ $1 != -- ]]; do vars+=("$1"); shift; done
    shift
    env "${vars[@]}" "$app" "$@" >"$out/last" 2>&1 || status=$?
    [[ $status == "$code" ]] || fail "$title: exit status $status, expected $code (desk_app $*)"
    count=$((count + 1))
    printf 'ok %3d  %s\n' "$count" "$title"
}

# as USER TITLE ARGS…: the command as a demo user; it must succeed.
as() {
    local user=$1 title=$2
    shift 2
    expect 0 "$title" DESK_USER="$user" DESK_PASSWORD="$DEMO_PASSWORD" -- "$@"
}

# shows TEXT: the last step's output contains TEXT.
shows() {
    grep -qF -- "$1" "$out/last" || fail "the output does not contain “$1”"
}

# files FILE…: each exists and is not empty.
files() {
    local file
    for file in "$@"; do
        [[ -s $file ]] || fail "$file is missing or empty"
    done
}

# verified PDF: verify-pdf says VALID and exits 0.
verified() {
    expect 0 "verify-pdf $(basename "$1")" -- verify-pdf "$1"
    shows "VALID: every signature is intact"
}

# ---------------------------------------------------------------- start, database, languages
expect 0 "version" -- --version
shows "desk-app "
expect 0 "help" -- --help
shows "verify-pdf"
expect 0 "demo: a fresh database with demo data" -- demo
shows "Demo data ready: 9 users"
shows "Recovery code of the certificate authority"
expect 0 "demo --if-empty leaves it alone" -- demo --if-empty
echo 'boss-pass-123' >"$work/boss.pw"
expect 0 "init: a second, empty database" -- --db "sqlite:///$work/init.db" init --admin boss \
    --full-name 老板 --password-stdin <"$work/boss.pw"
shows "administrator boss"
expect 0 "init again: already up to date" -- --db "sqlite:///$work/init.db" init --admin boss \
    --password-stdin <"$work/boss.pw"
expect 0 "translations: Simplified Chinese" DESK_LANG=zh_CN DESK_USER=admin \
    DESK_PASSWORD="$DEMO_PASSWORD" -- audit verify
shows "审计日志完好"
expect 0 "translations: Traditional Chinese" DESK_LANG=zh_TW DESK_USER=admin \
    DESK_PASSWORD="$DEMO_PASSWORD" -- audit verify
shows "審計日誌完好"

# ---------------------------------------------------------------- users, settings, audit
as admin "user list" user list
shows "zhoumin"
as admin "user list --json" user list --json
shows '"name": "chenjing"'
echo 'smoke-pass-1' >"$work/pw1"
echo 'smoke-pass-2' >"$work/pw2"
as admin "user add" user add smoketest --role clerk --full-name 冒烟测试 --password-stdin <"$work/pw1"
as admin "user roles" user roles smoketest --role clerk,supervisor
as admin "user passwd" user passwd smoketest --password-stdin <"$work/pw2"
expect 0 "new user signs in" DESK_USER=smoketest DESK_PASSWORD=smoke-pass-2 -- loan list --limit 1
as admin "user deactivate" user deactivate smoketest
expect 3 "deactivated user is refused" DESK_USER=smoketest DESK_PASSWORD=smoke-pass-2 -- loan list
as admin "user reactivate" user reactivate smoketest
as admin "settings list" settings list
shows "company_name"
as admin "settings list --json" settings list --json
as admin "settings set" settings set renewal_days 21
expect 3 "wrong password is refused" DESK_USER=admin DESK_PASSWORD=wrong-password -- audit verify
as chenjing "audit verify" audit verify
shows "Audit trail intact"
as chenjing "audit list" audit list --limit 5
shows "auth.login"
as chenjing "audit list --action prefix --json" audit list --action user. --json
shows '"action": "user.'

# ---------------------------------------------------------------- backup and restore
as admin "backup" backup "$work/backup.db"
files "$work/backup.db"
as admin "restore" restore "$work/backup.db"
shows "restored"
as chenjing "audit verify after restore" audit verify
# a new PC: restore onto a database that was never initialised
as admin "restore onto a new PC (no init)" --db "sqlite:///$work/new-pc.db" restore "$work/backup.db"
as chenjing "audit verify on the new PC" --db "sqlite:///$work/new-pc.db" audit verify
expect 1 "restore --dry-run: an older backup would lose entries" DESK_USER=admin \
    DESK_PASSWORD="$DEMO_PASSWORD" -- restore --dry-run "$work/backup.db"
shows "Problems (the restore needs --force and --reason)"

# ---------------------------------------------------------------- archive: locations and items
as admin "item kinds" item kinds
shows "dept GC"
as admin "location add (room)" location add 冒烟库房
as admin "location add (shelf in the room)" location add 1号架 --in 冒烟库房
as admin "location list" location list
shows "冒烟库房 › 1号架"
as admin "item add" item add --title "冒烟测试档案 smoke file" --kind BG --dept GC --level public \
    --keywords 冒烟 --location "冒烟库房 › 1号架" --json
ref=$(grep -o '"ref": "[^"]*"' "$out/last" | head -n 1 | cut -d'"' -f4)
[[ -n $ref ]] || fail "item add printed no reference"
as wangfang "item list --search" item list --search 冒烟测试
shows "$ref"
as wangfang "item list: Traditional search finds Simplified (OpenCC)" item list --search 消防檢查報告 --limit 3
shows "消防检查报告"
as wangfang "item list --available --json" item list --available --kind BG --limit 5 --json
as wangfang "item show" item show "$ref"
shows "冒烟库房 › 1号架"
as admin "item edit (audited before/after)" item edit "$ref" --title "冒烟测试档案 已改" --keywords 冒烟,改
as wangfang "item show after edit" item show "$ref"
shows "冒烟测试档案 已改"
as admin "location add (a second room)" location add 冒烟库房二
as admin "location move (a cabinet with its items)" location move "冒烟库房 › 1号架" --to 冒烟库房二
shows "with 1 item"
as wangfang "item show after the move" item show "$ref"
shows "冒烟库房二 › 1号架"
# pypinyin's dictionaries in the bundle: titles sort by pinyin (阿 … 张), not code point
as wangfang "item list --sort title (pinyin)" item list --sort title --limit 3 --json

# ---------------------------------------------------------------- loans
as wangfang "loan lend" loan lend "$ref" --borrower zhoumin --purpose "smoke test"
shows "Lent $ref"
as wangfang "loan renew" loan renew "$ref"
expect 2 "loan renew --until: an impossible date is refused" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- loan renew "$ref" --until 2026-02-30
as wangfang "loan list --open" loan list --open --limit 5
shows "$ref"
as wangfang "loan list --overdue" loan list --overdue --limit 5
as wangfang "loan list --borrower --json" loan list --borrower zhoumin --limit 5 --json
as wangfang "loan return" loan return "$ref" --condition good
shows "Returned $ref"
as wangfang "loan remind" loan remind --out "$work/remind"
reminders=("$work"/remind/*.pdf)
files "${reminders[@]}"

# ---------------------------------------------------------------- approvals, retention, grants
as wangfang "item list --level secret" item list --level secret --available --limit 40 --json
secret=$(grep -o '"ref": "[^"]*"' "$out/last" | tail -n 1 | cut -d'"' -f4)
[[ -n $secret ]] || fail "no secret file in the demo"
today=$(date +%F)
as wangfang "approval request" approval request "$secret" --requester 赵审计 \
    --contact 13800001111 --org 信达会计师事务所 --purpose "smoke test" --access take-out \
    --from "$today" --to "$(date -d '+10 day' +%F)" --json
request=$(grep -o '"id": [0-9]*' "$out/last" | head -n 1 | grep -o '[0-9]*$')
expect 2 "loan lend of a secret file before the approval is refused" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- loan lend "$secret" --borrower 赵审计 \
    --contact 13800001111 --purpose "smoke test" --due "$(date -d '+5 day' +%F)"
shows "waiting for the manager"
as zhangwei "approval decide (signed)" approval decide "$request" --approve --reason 同意
as zhangwei "approval show --pdf" approval show "$request" --pdf "$work/approval.pdf"
verified "$work/approval.pdf"
as wangfang "loan lend under the approval" loan lend "$secret" --borrower 赵审计 \
    --contact 13800001111 --purpose "smoke test" --due "$(date -d '+5 day' +%F)" --json
shows "SP"
as wangfang "loan return (secret)" loan return "$secret"
as zhangwei "approval list --json" approval list --status approved --json
as wangfang "retention due --json" retention due --json
as wangfang "retention list" retention list
as liuyang "grant list" grant list
as chenjing "grant list (auditor)" grant list --json

# ---------------------------------------------------------------- the document register
as wangfang "doc receive" doc receive --sender 市住房和城乡建设局 --title "关于冬季消防检查的通知" \
    --sender-ref "建〔2026〕smoke号" --kind TZ --json
doc=$(grep -o '"id": [0-9]*' "$out/last" | head -n 1 | grep -o '[0-9]*$')
number=$(grep -o '"number": "SW[^"]*"' "$out/last" | head -n 1 | cut -d'"' -f4)
expect 5 "doc receive of the same sender's number is refused" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- doc receive --sender 市住房和城乡建设局 --title again \
    --sender-ref "建〔2026〕smoke号"
expect 3 "doc instruct by a clerk is refused" DESK_USER=wangfang DESK_PASSWORD="$DEMO_PASSWORD" \
    -- doc instruct "$doc" --instruction 阅 --read GC
as zhangwei "doc instruct (signed)" doc instruct "$doc" --instruction "请工程部、保安部阅，客服部办理" \
    --read GC,BA --handler KF --due "$(date -d '+7 day' +%F)"
as wangfang "doc carry" doc carry "$doc"
as liqiang "doc read (GC)" doc read "$doc" --comment 已阅
as zhaolei "doc read (BA)" doc read "$doc"
as zhoumin "doc result" doc result "$doc" --text "已完成自查并上报"
as wangfang "doc file (signed)" doc file "$doc"
as wangfang "doc show --pdf" doc show "$doc" --pdf "$work/incoming.pdf" \
    --instruction-pdf "$work/instruction.pdf"
verified "$work/incoming.pdf"
verified "$work/instruction.pdf"
as wangfang "doc find by the number" doc find "${number,,}" --json
shows "$number"
as sunli "doc draft (signed)" doc draft --title "关于春节值班安排的通知" --to 各业主 \
    --body "春节期间客服中心24小时值班。" --kind TZ --json
out_doc=$(grep -o '"id": [0-9]*' "$out/last" | head -n 1 | grep -o '[0-9]*$')
expect 5 "doc send before sign-off is refused" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- doc send "$out_doc"
as liqiang "doc review (signed)" doc review "$out_doc" --approve
as zhangwei "doc signoff (signed)" doc signoff "$out_doc" --approve
as wangfang "doc send (numbered, signed)" doc send "$out_doc"
shows "发〔"
as wangfang "doc show --pdf (draft sheet)" doc show "$out_doc" --pdf "$work/outgoing.pdf"
verified "$work/outgoing.pdf"
as wangfang "doc gaps" doc gaps
as chenjing "doc list --json (auditor)" doc list --overdue --json

# ---------------------------------------------------------------- keys, rota, the handover
as wangfang "key list --overdue" key list --overdue
shows "K-203"
as wangfang "key checkout" key checkout K-102 --to zhoumin --reason "smoke test"
expect 5 "key checkout of an article already out" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- key checkout K-102 --to liqiang --reason again
shows "zhoumin"
as wangfang "key checkin" key checkin K-102 --condition good
as wangfang "key history --json" key history K-102 --json
as wangfang "shift list --json" shift list --json
as liqiang "shift swaps --pending" shift swaps --pending
shows "TB"
as liqiang "handover list --json" handover list --json
# the demo's handover of the shift running now: who hands over to whom, what blocks it
handover=$(python3 -c 'import json,sys; print(next(h["id"] for h in json.load(open(sys.argv[1])) if h["status"] == "preparing"))' "$out/last")
outgoing=$(python3 -c 'import json,sys; print(next(h["outgoing"] for h in json.load(open(sys.argv[1])) if h["status"] == "preparing"))' "$out/last")
incoming=$(python3 -c 'import json,sys; print(next(h["incoming"] for h in json.load(open(sys.argv[1])) if h["status"] == "preparing"))' "$out/last")
expect 1 "handover check names what blocks" DESK_USER="$outgoing" DESK_PASSWORD="$DEMO_PASSWORD" \
    -- handover check "$handover"
shows "major or emergency event"
expect 5 "handover sign is refused while blocked (recorded)" DESK_USER="$outgoing" \
    DESK_PASSWORD="$DEMO_PASSWORD" -- handover sign "$handover"
shows "Preparation is incomplete"
as "$outgoing" "handover show --json" handover show "$handover" --json
cp "$out/last" "$work/handover.json"
for entry in $(python3 -c 'import json,sys; print(" ".join(str(e["no"]) for e in json.load(open(sys.argv[1]))["entries"] if e["major"] and not e["resolved"]))' "$work/handover.json"); do
    as "$outgoing" "handover resolve $entry" handover resolve "$handover" "$entry" --result "电工已处理，恢复正常"
done
python3 -c 'import json,sys; [print(l["no"], l["expected"]) for l in json.load(open(sys.argv[1]))["lines"] if l["found"] is None]' \
    "$work/handover.json" > "$work/uncounted"
while read -r line expected; do
    as "$incoming" "handover count $line" handover count "$handover" "$line" --found "$expected"
done < "$work/uncounted"
as "$outgoing" "handover check: nothing blocks" handover check "$handover"
as "$outgoing" "handover sign (outgoing)" handover sign "$handover"
as "$incoming" "handover sign (incoming)" handover sign "$handover"
as liqiang "handover countersign" handover countersign "$handover"
as liqiang "handover show --pdf" handover show "$handover" --pdf "$work/handover.pdf"
verified "$work/handover.pdf"
as chenjing "handover list (auditor)" handover list

# ---------------------------------------------------------------- reception
for lang in zh_CN zh_TW en; do
    as wangfang "script list --lang $lang" script list --lang "$lang"
    shows "visitor.greet"
done
as wangfang "script list --json" script list --json
as wangfang "script render" script render visitor.greet_named --lang zh_CN --set caller=王 \
    --set caller_title=先生
shows "王先生"
as wangfang "script render (Traditional)" script render visitor.greet --lang zh_TW
shows "歡迎光臨"
as wangfang "script check: clean text" script check "请您稍等，我马上帮您确认。"
expect 1 "script check: forbidden phrase" DESK_USER=wangfang DESK_PASSWORD="$DEMO_PASSWORD" -- \
    script check "这个我不知道，你自己去问吧"
shows "不知道"
expect 1 "script check: Traditional forbidden phrase" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- script check "這個我不曉得" --lang zh_TW
as admin "script edit" script edit visitor.offer_help --lang zh_CN \
    --text "请问您是来办理业务还是找人？我马上为您安排。"
as admin "script history" script history visitor.offer_help --lang zh_CN
shows "我马上为您安排"
as wangfang "visit list" visit list --limit 5
as wangfang "visit list --open --json" visit list --open --json --limit 5
month=$(date +%Y-%m)
as wangfang "complaint stats" complaint stats --month "$month"
shows "Total"
as wangfang "complaint stats --json" complaint stats --month "$month" --json
as wangfang "complaint stats (pdf)" complaint stats --month "$month" --format pdf \
    --out "$work/exports/complaint-stats.pdf"
as wangfang "complaint stats (xlsx)" complaint stats --month "$month" --format xlsx \
    --out "$work/exports/complaint-stats.xlsx"
files "$work/exports/complaint-stats.pdf" "$work/exports/complaint-stats.xlsx"
# messages (issue 18): the one taken here is numbered after the demo's
as wangfang "message add" message add --for liqiang --caller 赵先生 --contact 13800000000 \
    --text "请回电，关于12栋漏水"
message=$(sed -n 's/^Message \([0-9][0-9]*\) for liqiang written down.*/\1/p' "$out/last")
[[ -n $message ]] || fail "message add printed no number"
as wangfang "message list --json" message list --unconfirmed --json
shows "请回电，关于12栋漏水"
expect 2 "message for an unknown user is refused" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- message add --for nobody --caller 赵先生 --text 请回电
expect 3 "message confirmed by someone else is refused" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- message confirm "$message"
as liqiang "message list --mine" message list --mine
shows "请回电，关于12栋漏水"
as liqiang "message confirm" message confirm "$message"
expect 5 "message confirmed twice is refused" DESK_USER=liqiang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- message confirm "$message"
as wangfang "message chase" message chase 3
# a complaint's closed loop (issue 18): added, analysed, two proposals, decided and signed by
# the supervisor, signed by the customer (a pad's PNG) and the clerk, called back: closed
base64 -d >"$work/customer.png" <<'PNG'
iVBORw0KGgoAAAANSUhEUgAAADwAAAAUCAAAAAD0aAH1AAAAeUlEQVR42rWTQQ6AIBADW+P/v1wvagC3C0si1+3QAQKF/XXgP5j5VDNUe82EpKzcN/PppC13MBtfOvcYHuMGD+FANHQPYHPGaEdNjLPJADN9189VaMHYBVp4io4has04dKdqaJe9YaL0r+84VUdfnCoZ9+4ntlBAIC6duzIKwP+IwQAAAABJRU5ErkJggg==
PNG
as wangfang "complaint add" complaint add --category repairs --description "报修三天未上门" \
    --name 刘先生 --contact 13800000001 --severity 2
complaint=$(sed -n 's/.*(\([0-9][0-9]*\)) written down.*/\1/p' "$out/last")
[[ -n $complaint ]] || fail "complaint add printed no id"
expect 2 "complaint analyse: unknown cause is refused" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- complaint analyse "$complaint" --cause weather --text x
as wangfang "complaint analyse" complaint analyse "$complaint" --cause delay --text 派工单漏派 \
    --staff zhoumin
as wangfang "complaint propose" complaint propose "$complaint" --text 今天下午上门
as wangfang "complaint propose (second)" complaint propose "$complaint" --text 明早上门并减免费用
proposal=$(sed -n 's/^Proposal \([0-9][0-9]*\) on complaint.*/\1/p' "$out/last")
[[ -n $proposal ]] || fail "complaint propose printed no id"
expect 3 "complaint decide by a clerk is refused" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- complaint decide "$complaint" --proposal "$proposal" \
    --instruction 同意
as liqiang "complaint decide" complaint decide "$complaint" --proposal "$proposal" \
    --instruction "同意，明早九点前上门"
as wangfang "complaint accept" complaint accept "$complaint" --signature "$work/customer.png" \
    --channel email
number=$(printf 'TS-%06d-1' "$complaint")
as wangfang "complaint form (decision)" complaint form "$number" --out "$work/decision.pdf"
verified "$work/decision.pdf"
as wangfang "complaint form (customer)" complaint form "$number-C" --out "$work/customer.pdf"
verified "$work/customer.pdf"
as wangfang "callback list --pending --json" callback list --pending --json
callback=$(tr -d '\n ' <"$out/last" | sed -n "s/.*\"id\":\([0-9]*\),[^}]*\"complaint_id\":$complaint}.*/\1/p")
[[ -n $callback ]] || fail "no pending call-back for complaint $complaint"
as wangfang "callback record" callback record "$callback" --result 已修好 --satisfaction satisfied
as wangfang "complaint show --json" complaint show "$complaint" --json
shows '"status": "closed"'
last_month=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m)
as wangfang "complaint month" complaint month --month "$last_month"
as wangfang "complaint month-form" complaint month-form --month "$last_month" \
    --out "$work/month.pdf"
verified "$work/month.pdf"
# promised replies and hand-offs on an open log entry of the demo
as wangfang "visit list --open --json (entry)" visit list --open --json --limit 1
entry=$(tr -d '\n ' <"$out/last" | sed -n 's/^\[{"id":\([0-9]*\),.*/\1/p')
[[ -n $entry ]] || fail "no open log entry"
expect 2 "visit promise in the past is refused" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- visit promise "$entry" --by "2000-01-01 10:00"
as wangfang "visit promise" visit promise "$entry" --by "$(date -d '+10 min' '+%Y-%m-%d %H:%M')"
as wangfang "visit promises" visit promises --json
shows "\"id\": $entry"
as wangfang "visit transfer" visit transfer "$entry" --to-dept 工程部
as wangfang "visit escalate" visit escalate "$entry" --to-user liqiang
as wangfang "visit handoffs" visit handoffs "$entry" --json
shows "工程部"
# timeouts and responsibility (002, issue 18): a request's type and urgency; a demo entry still
# to review reviewed with an evidence file, appealed by the clerk held responsible, decided by
# the manager; the evidence written back byte for byte
as wangfang "visit add --type --urgency" visit add --channel phone_in --name 赵先生 \
    --request 门禁卡失效 --type technical --urgency urgent --json
shows '"request_type": "technical"'
as liqiang "timeout list --state to_review --json" timeout list --state to_review --limit 50 --json
timed_out=$(python3 -c 'import json,sys; print(next(r["entry"] for r in json.load(open(sys.argv[1])) if r["handler"] == "wangfang"))' "$out/last")
[[ -n $timed_out ]] || fail "no demo entry of wangfang's to review"
cp "$work/customer.png" "$work/screenshot.png"
expect 2 "timeout review without the person responsible is refused" DESK_USER=liqiang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- timeout review "$timed_out" --cause staff
shows "responsible"
as liqiang "timeout review (with evidence)" timeout review "$timed_out" --cause staff \
    --responsible wangfang --text 交接班时无人跟进 --measure written --retraining 接听规范培训 \
    --evidence "$work/screenshot.png" --json
shows '"state": "reviewed"'
evidence=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["evidence"][0]["id"])' "$out/last")
expect 5 "timeout review twice is refused" DESK_USER=zhoumin DESK_PASSWORD="$DEMO_PASSWORD" \
    -- timeout review "$timed_out" --cause peak --responsible wangfang
expect 3 "timeout appeal by someone else is refused" DESK_USER=sunli \
    DESK_PASSWORD="$DEMO_PASSWORD" -- timeout appeal "$timed_out" --reason 不是我
as wangfang "timeout appeal" timeout appeal "$timed_out" --reason 当时系统故障，电话无法接通
expect 3 "timeout decide-appeal by the reviewer is refused" DESK_USER=liqiang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- timeout decide-appeal "$timed_out" --outcome upheld \
    --decision 维持
as zhangwei "timeout decide-appeal" timeout decide-appeal "$timed_out" --outcome changed \
    --decision 系统日志证实故障 --measure verbal
as wangfang "timeout show" timeout show "$timed_out"
shows "Verbal warning"
as wangfang "timeout list --mine --json" timeout list --mine --json
shows "\"entry\": $timed_out"
as wangfang "timeout evidence --out" timeout evidence "$evidence" --out "$work/evidence.png"
cmp -s "$work/screenshot.png" "$work/evidence.png" || fail "the evidence file written back differs"
expect 2 "timeout evidence onto an existing file is refused" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- timeout evidence "$evidence" --out "$work/evidence.png"
as wangfang "script render (holiday wish)" script render phone.closing_holiday --lang zh_CN
shows "感谢您的来电"
# the monthly service report (issue 18): last month's, with its charts, signed; XLSX with charts
last_month=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m)
as liqiang "report service" report service --month "$last_month"
shows "Whole desk"
as zhangwei "report service --json" report service --month "$last_month" --json
shows "\"trend\""
as chenjing "report service (pdf)" report service --month "$last_month" --format pdf \
    --out "$work/exports/service-report.pdf"
verified "$work/exports/service-report.pdf"
as liqiang "report service (xlsx)" report service --month "$last_month" --format xlsx \
    --out "$work/exports/service-report.xlsx"
files "$work/exports/service-report.xlsx"
expect 3 "report service by a clerk is refused" DESK_USER=wangfang \
    DESK_PASSWORD="$DEMO_PASSWORD" -- report service --month "$last_month"

# ---------------------------------------------------------------- exports, CA, verifying
# every register of the area manifest, in every format (one pipeline serves them all)
for register in audit items loans visits callbacks complaints approvals destructions review_due \
        handovers keys key_loans shift_swaps documents; do
    for format in pdf xlsx csv; do
        as chenjing "export $register ($format)" export "$register" --format "$format" \
            --out "$work/exports/$register.$format"
        shows "Exported"
        files "$work/exports/$register.$format"
    done
done
expect 2 "export in an unknown format is refused" DESK_USER=chenjing \
    DESK_PASSWORD="$DEMO_PASSWORD" -- export visits --format docx --out "$work/exports/visits.docx"
as admin "ca export" ca export "$work/ca.pem"
files "$work/ca.pem"
grep -q "BEGIN CERTIFICATE" "$work/ca.pem" || fail "ca.pem is not a PEM certificate"
for pdf in "$work"/exports/*.pdf; do
    verified "$pdf"
done
expect 0 "verify-pdf --ca PEM" -- verify-pdf --ca "$work/ca.pem" "$work/exports/loans.pdf"
shows "VALID: every signature is intact"
expect 0 "verify-pdf --json" -- verify-pdf --json "$work/exports/audit.pdf"

# ---------------------------------------------------------------- importing ledgers
# a GB18030 CSV (Excel's "CSV" on a Chinese Windows) with a title row, an unknown kind and a
# date written the Chinese way; the register's own XLSX export read back (all there already)
python3 - "$work/ledger.csv" <<'PY'
import sys
rows = ["示例物业服务有限公司档案目录,,,,", "档号,题名,类别,部门,日期",
        "GC-TZ-2009-0901,一号楼竣工验收资料,竣工图纸,GC,2009年5月6日",
        "GC-TZ-2009-0902,二号楼竣工验收资料,竣工图纸,GC,2009.5.7"]
open(sys.argv[1], "wb").write(("\r\n".join(rows) + "\r\n").encode("gb18030"))
PY
expect 2 "import --dry-run names the unknown kind" DESK_USER=admin \
    DESK_PASSWORD="$DEMO_PASSWORD" -- import items "$work/ledger.csv" --dry-run
shows "竣工图纸"
as admin "import items (GB18030 CSV, --create-missing)" import items "$work/ledger.csv" \
    --create-missing --json
shows '"imported": 2'
expect 5 "importing the same file again is refused" DESK_USER=admin \
    DESK_PASSWORD="$DEMO_PASSWORD" -- import items "$work/ledger.csv" --create-missing
expect 2 "the catalogue's own XLSX export: every reference exists already" DESK_USER=admin \
    DESK_PASSWORD="$DEMO_PASSWORD" -- import items "$work/exports/items.xlsx" --dry-run --json
shows "exists already"
printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' >"$work/old.xls"
expect 2 "an old .xls is refused with what to do" DESK_USER=admin \
    DESK_PASSWORD="$DEMO_PASSWORD" -- import items "$work/old.xls"
shows ".xlsx"
cp "$work/exports/items.pdf" "$work/tampered.pdf"
printf '\n%% appended after signing\n' >>"$work/tampered.pdf"
expect 1 "verify-pdf refuses a changed PDF" -- verify-pdf "$work/tampered.pdf"

# ---------------------------------------------------------------- trust: CA, CRL, anchors, personnel
as admin "ca status" ca status
shows "Recovery code: made"
as admin "ca crl" ca crl "$work/ca.crl"
grep -q "BEGIN X509 CRL" "$work/ca.crl" || fail "ca.crl is not a PEM CRL"
expect 0 "verify-pdf on another machine: --ca and --crl, no database" DESK_DB= -- \
    --db "sqlite:///$work/absent/none.db" verify-pdf --ca "$work/ca.pem" --crl "$work/ca.crl" \
    "$work/exports/visits.pdf"
shows "VALID: every signature is intact"
[[ ! -e "$work/absent" ]] || fail "verify-pdf with --ca created a database"
as chenjing "audit checkpoint (signed)" audit checkpoint --out "$work/checkpoint.pdf"
verified "$work/checkpoint.pdf"
as chenjing "audit verify --anchor checkpoint and export" audit verify \
    --anchor "$work/checkpoint.pdf" --anchor "$work/exports/audit.pdf"
shows "Audit trail intact"
as liuyang "personnel status" personnel status

# ---------------------------------------------------------------- GUI, offscreen
expect 0 "GUI: sign-in window" DESK_EXIT_AFTER_LOGIN_SHOWN=1 --
shows "database open"
# No DESK_LANG: the database's language (Simplified Chinese), with Qt's own translation.
expect 0 "GUI: every page of every demo user, labels, PDF preview" DESK_LANG= DESK_SMOKE_PAGES=1 \
    DESK_USER=admin,chenjing,wangfang,zhoumin,liqiang,zhangwei,liuyang DESK_PASSWORD="$DEMO_PASSWORD" \
    DESK_SMOKE_OUT="$work/labels" --
{ grep '^smoke: ' "$out/last" || true; } | sed 's/^/        /'
shows "smoke: passed for admin, chenjing"
labels=("$work"/labels/labels-*.pdf)
[[ ${#labels[@]} -ge 6 ]] || fail "the GUI smoke test wrote ${#labels[@]} label PDFs"
files "${labels[@]}"

# ---------------------------------------------------------------- the end
as chenjing "audit verify at the end" audit verify
shows "Audit trail intact"
if grep -E ' (ERROR|CRITICAL) ' "$DESK_LOG_DIR/desk_app.log" >"$out/last"; then
    fail "the log has errors"
fi
echo "bundle smoke test passed: $count steps in $((SECONDS - started)) s, bundle $(du -sh "$(dirname "$app")" | cut -f1)"
