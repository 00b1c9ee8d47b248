#!/usr/bin/env python3
"""Shouce's own synthetic handbook: a complete, deterministic shouce site for benchmarks.

    python3 bench/gen_handbook.py --pages 1000 --out /tmp/hb-1000

writes

    OUT/shouce.toml
    OUT/content/_index.md                       the home page
    OUT/content/<part>/_index.md                9 parts (话术, 平台规则, 大促, ...)
    OUT/content/<part>/<topic>/_index.md        8 topics per part
    OUT/content/<part>/<topic>/<team>/_index.md a third level once a topic holds more
                                                than one batch of pages
    OUT/content/.../<slug>-NNNNN.md             the pages, 20-60 per leaf section
    OUT/themes/default/                         copied from the repo (or --theme)

Pages are Chinese customer-service training material of roughly 2-6 KB each:
headings (with ASCII, spaces and punctuation, to exercise heading ids), paragraphs
with bold and inline code, bullet and numbered lists, tables, `> [!RULE]` and other
callouts, ```dialogue blocks (`客户: ...` / `客服: ...`), an occasional JSON block,
relative `.md` cross-links (many with `#anchor`s to headings that exist on the
target page, some to section `_index.md` files, some on the same page) and
`effective` / `review_by` dates (review dates lie in 2030-2031, so nothing is
overdue). The site builds with zero errors and zero warnings.

Same --pages and --seed => byte-identical output (no dependence on hash order,
time or locale). Standard library only. This is deliberately independent code
from ../shared/bench/gen_corpus.py (the reference corpus shared with Zola/Hugo).
"""

import argparse
import json
import os
import posixpath
import random
import shutil
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---------------------------------------------------------------------------
# Site outline: (folder, title, [(topic folder, topic title, file-name stems)])
# ---------------------------------------------------------------------------

PARTS = [
    ("scripts", "服务话术", [
        ("presale", "售前接待", ["greeting", "size-advice", "stock-check", "gift-wrap"]),
        ("aftersale", "售后处理", ["return", "exchange", "resend", "repair"]),
        ("bargain", "议价应对", ["discount", "price-match", "bundle"]),
        ("urge-pay", "催付技巧", ["unpaid-order", "reminder", "cart"]),
        ("complaint", "投诉安抚", ["angry-buyer", "apology", "compensation"]),
        ("logistics", "物流咨询", ["tracking", "delay", "lost-parcel"]),
        ("opening-closing", "开场与结束语", ["welcome", "farewell", "follow-up"]),
        ("live-room", "直播间答疑", ["live-qa", "live-coupon", "live-stock"]),
    ]),
    ("rules", "平台规则", [
        ("refund", "退款规则", ["refund-timeout", "refund-reason", "partial-refund"]),
        ("shipping", "发货时限", ["ship-deadline", "presale-ship", "custom-item"]),
        ("reviews", "评价规则", ["bad-review", "review-cashback", "review-reply"]),
        ("penalties", "违规扣分", ["penalty-points", "false-promise", "fake-trade"]),
        ("seven-day", "七天无理由", ["no-reason-return", "exempt-goods", "return-freight"]),
        ("freight-insurance", "运费险", ["insurance-claim", "insurance-limit"]),
        ("invoice", "发票规则", ["invoice-request", "invoice-error", "vat-invoice"]),
        ("pricing", "价格规范", ["price-protection", "original-price", "price-error"]),
    ]),
    ("promotion", "大促备战", [
        ("double-12", "双十二", ["d12-schedule", "d12-staffing", "d12-faq"]),
        ("double-11", "双十一", ["d11-presale", "d11-final-payment", "d11-review"]),
        ("mid-year", "618 年中大促", ["m618-coupon", "m618-shipping"]),
        ("new-year", "年货节", ["ny-holiday-ship", "ny-gift-box"]),
        ("presale", "预售活动", ["deposit", "balance", "presale-refund"]),
        ("coupons", "优惠券与满减", ["coupon-stack", "coupon-invalid", "threshold"]),
        ("flash-sale", "秒杀与聚划算", ["flash-stock", "group-buy"]),
        ("member-day", "会员日", ["member-points", "member-gift"]),
    ]),
    ("metrics", "运营指标", [
        ("conversion", "询单转化率", ["inquiry-conversion", "silent-order"]),
        ("aov", "客单价", ["aov-upsell", "aov-bundle"]),
        ("response", "响应时长", ["first-response", "avg-response"]),
        ("satisfaction", "满意度", ["csat", "survey"]),
        ("refund-rate", "退款率", ["refund-ratio", "dispute-ratio"]),
        ("dsr", "DSR 评分", ["dsr-service", "dsr-logistics"]),
        ("repurchase", "复购率", ["repeat-buyer", "member-care"]),
        ("reports", "日报与周报", ["daily-report", "weekly-review"]),
    ]),
    ("tools", "工具使用", [
        ("qianniu", "千牛工作台", ["qianniu-setup", "qianniu-shortcuts"]),
        ("wangwang", "旺旺", ["ww-transfer", "ww-offline"]),
        ("erp", "ERP 订单", ["erp-search", "erp-remark", "erp-split"]),
        ("quick-phrases", "快捷短语", ["phrase-library", "phrase-review"]),
        ("tickets", "工单系统", ["ticket-create", "ticket-escalate"]),
        ("qa-platform", "质检平台", ["qa-sampling", "qa-appeal"]),
        ("chatbot", "智能客服机器人", ["bot-handoff", "bot-training"]),
        ("sheets", "表格模板", ["shift-sheet", "refund-sheet"]),
    ]),
    ("onboarding", "新人入职", [
        ("week-1", "第一周", ["day-1", "shadowing", "first-chat"]),
        ("week-2", "第二周", ["solo-shift", "mentor-review"]),
        ("role", "岗位认知", ["role-presale", "role-aftersale"]),
        ("exam", "认证考试", ["exam-rules", "exam-practice"]),
        ("schedule", "值班制度", ["night-shift", "handover"]),
        ("privacy", "保密制度", ["buyer-data", "screenshots"]),
        ("mentoring", "带教", ["mentor-guide", "feedback"]),
        ("probation", "转正", ["probation-goals", "probation-review"]),
    ]),
    ("quality", "质检与复盘", [
        ("cases", "案例库", ["case-refund", "case-delay", "case-quality"]),
        ("scoring", "评分标准", ["score-sheet", "score-deduction"]),
        ("appeals", "申诉", ["appeal-process", "appeal-evidence"]),
        ("sampling", "抽检", ["sample-size", "sample-schedule"]),
        ("retro", "复盘", ["retro-template", "retro-meeting"]),
        ("bad-reviews", "典型差评", ["review-size", "review-delay"]),
        ("banned-words", "违规用语", ["banned-list", "soft-words"]),
        ("best-chats", "优秀对话", ["best-presale", "best-aftersale"]),
    ]),
    ("products", "商品知识", [
        ("apparel", "服装", ["apparel-size", "apparel-wash"]),
        ("beauty", "美妆", ["beauty-allergy", "beauty-expiry"]),
        ("appliances", "家电", ["appliance-install", "appliance-warranty"]),
        ("food", "食品", ["food-shelf-life", "food-cold-chain"]),
        ("baby", "母婴", ["baby-formula", "baby-safety"]),
        ("digital", "数码", ["digital-activation", "digital-repair"]),
        ("home", "家居", ["home-furniture", "home-textile"]),
        ("outdoor", "运动户外", ["outdoor-shoes", "outdoor-tent"]),
    ]),
    ("workflow", "岗位流程", [
        ("handover", "交接班", ["handover-list", "handover-notes"]),
        ("escalation", "升级流程", ["escalate-lead", "escalate-platform"]),
        ("refund-flow", "退款流程", ["refund-check", "refund-approve"]),
        ("exchange-flow", "换货流程", ["exchange-check", "exchange-ship"]),
        ("warehouse", "仓库协作", ["warehouse-stock", "warehouse-error"]),
        ("finance", "财务对接", ["finance-invoice", "finance-refund"]),
        ("holiday", "节假日安排", ["holiday-shift", "holiday-notice"]),
        ("emergency", "突发事件", ["outage", "public-opinion"]),
    ]),
]

TEAMS = [("team-a", "一组"), ("team-b", "二组"), ("team-c", "三组"), ("team-d", "四组"),
         ("night", "夜班组"), ("weekend", "周末组"), ("senior", "资深组"), ("trainee", "新人组")]

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

STAFF = ["客服", "售后专员", "值班组长", "质检同事", "带教老师", "新客服", "运营同学", "仓库同事", "主管"]
BUYER = ["买家", "顾客", "亲", "老客户", "会员", "新客户"]
SUBJ = ["退款申请", "换货申请", "补发请求", "运单号", "差评", "优惠券", "赠品", "尺码问题", "色差投诉",
        "发票申请", "预售尾款", "价保申请", "运费险理赔", "质量问题", "缺货订单", "改地址请求",
        "催发货消息", "拒收包裹", "破损包裹", "退货地址", "会员积分", "满减规则", "直播间口令", "售后工单"]
ACTS = ["核对订单", "查看物流", "登记工单", "备注订单", "联系仓库", "上报组长", "发送快捷短语",
        "截图留证", "同意退款", "补发赠品", "修改地址", "申请改价", "转交售后", "回访买家", "提交质检",
        "更新库存", "发起理赔", "确认收货信息", "安抚情绪", "说明平台规则"]
BAD = ["承诺做不到的事", "让买家先确认收货", "使用“不知道”“没办法”这样的说法", "私下转账", "催买家撤销投诉",
       "长时间不回复", "直接拒绝退款", "把买家转来转去", "复制粘贴不相关的话术", "在聊天里要求好评返现"]
DEADLINE = ["30 秒内", "3 分钟内", "24 小时内", "48 小时内", "72 小时内", "当天 18 点前", "发货前",
            "签收后 7 天内", "交易成功后 15 天内", "活动开始前一天", "下一班交接前"]
RESULT = ["减少纠纷", "降低退款纠纷率", "避免扣分", "提高询单转化", "守住 DSR 评分", "减少差评",
          "缩短平均响应时长", "让买家愿意复购", "避免重复赔付", "少走一次小二介入"]
PENALTY = ["店铺会被扣 3 分", "需要赔付买家订单金额的 30%", "平台会判定为违背承诺", "会计入退款纠纷率",
           "质检会记为严重违规", "影响当月绩效", "可能被限制参加大促活动"]
SITUATION = ["买家说包裹三天没动", "买家收到的颜色和图片不一样", "买家要求先退款再退货", "预售商品还没到发货时间",
             "买家在直播间领不到券", "买家签收后说少了一件", "买家要求开专票", "大促当天咨询量翻了五倍",
             "买家情绪激动连发十几条消息", "快递显示签收但买家说没收到", "买家拍下后要求改价",
             "买家嫌尺码偏小想换大一号"]
TOOLS = ["千牛", "旺旺", "ERP", "工单系统", "质检平台", "快捷短语库", "共享表格", "机器人后台"]
FEATURES = ["订单备注", "智能分流", "快捷短语", "转接", "聊天记录搜索", "催付提醒", "退款工作台", "服务助手"]
METRICS = ["询单转化率", "客单价", "首次响应时长", "平均响应时长", "满意度", "退款率", "退款纠纷率", "DSR 服务分",
           "复购率", "好评率"]
MOTTO = ["先处理情绪，再处理问题", "能当场解决的不过夜", "承诺之前先查系统", "每一次回复都可能被截图",
         "规则讲清楚，态度放柔软", "证据留在工单里，不留在脑子里", "宁可多问一句，不要多赔一单"]
OPENERS = ["需要注意的是", "一般来说", "实际工作中", "按照店铺规定", "从过去的案例看", "大促期间尤其如此",
           "和平台规则一样", "请记住"]
ASPECTS = ["处理流程", "常见误区", "话术示范", "平台规定", "判断标准", "时间节点", "注意事项", "案例分析",
           "工具操作", "考核方式", "沟通要点", "升级条件"]
HEAD_EXTRA = ["72 小时规则", "DSR 评分：怎么看？", "Step 1: 核对订单", "Step 2: 回复买家", "FAQ 常见问题",
              "ERP 里的订单备注", "7 天无理由（No Reason Return）", "3 分钟响应原则", "SOP 速查",
              "VIP 客户的特殊处理", "24 小时内必须做的事", "小结", "练习题", "延伸阅读"]
ORD = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
LEVELS = ["入门", "进阶", "资深"]
OWNERS = ["售前组", "售后组", "培训组", "质检组", "运营组"]

# dialogue lines
C_LINES = ["在吗？{s}怎么处理？", "我的{s}已经提交两天了，怎么还没人管？", "{s}的事你们看怎么办吧。",
           "能不能便宜一点？我买了三件。", "为什么我领的券用不了？", "我要投诉，你们发货太慢了！",
           "快递一直没更新，是不是丢了？", "好的，那我等你们消息。", "那运费谁出？", "行，谢谢啦。"]
A_LINES = ["亲，您好！我马上帮您{a}，请稍等一下哦～", "非常抱歉让您久等了，这边已经帮您{a}，{d}会有结果。",
           "亲，理解您的心情，这边先帮您{a}，有进展第一时间告诉您。",
           "您说的情况我记下了，按照平台规则，{d}我们会处理完毕。", "亲，这款目前有现货，{d}发出，满 99 元包邮哦。",
           "给您带来不便真的很抱歉，这边为您申请了一张 ¥{m} 的无门槛券，您看可以吗？",
           "亲，退货运费由我们承担，您寄回时选择运费险理赔就可以。", "收到，祝您生活愉快，有问题随时找我～"]

KEYWORD_TAGS = ["售前", "售后", "退款", "物流", "大促", "话术", "规则", "指标", "工具", "质检", "新人"]


def pick(r, seq):
    return seq[r.randrange(len(seq))]


def slugify(text):
    """Shouce's heading ids: CJK kept, ASCII lowercased, whitespace and '-' -> one '-',
    other punctuation dropped (src/markdown/heading.rs)."""
    out = []
    pending = False
    for ch in text.strip():
        if ch.isspace() or ch == "-":
            pending = bool(out)
        elif ch.isalnum() or ch == "_":
            if pending:
                out.append("-")
                pending = False
            out.append(ch.lower())
    return "".join(out) or "section"


class Ids:
    """Unique ids within a page: repeats get -1, -2, ... like Shouce's IdAllocator."""

    def __init__(self):
        self.used = {}

    def unique(self, wanted):
        if wanted not in self.used:
            self.used[wanted] = True
            return wanted
        n = 1
        while "%s-%d" % (wanted, n) in self.used:
            n += 1
        got = "%s-%d" % (wanted, n)
        self.used[got] = True
        return got


# ---------------------------------------------------------------------------
# Prose
# ---------------------------------------------------------------------------

def bold(r, s):
    return "**%s**" % s if r.random() < 0.25 else s


def sentence(r):
    k = r.randrange(10)
    if k == 0:
        return "遇到%s时，%s要先%s，再%s，千万不要%s。" % (pick(r, SUBJ), pick(r, STAFF), bold(r, pick(r, ACTS)),
                                              pick(r, ACTS), pick(r, BAD))
    if k == 1:
        return "按照平台规则，%s必须在%s%s，否则%s。" % (pick(r, SUBJ), bold(r, pick(r, DEADLINE)), pick(r, ACTS),
                                           pick(r, PENALTY))
    if k == 2:
        return "%s是衡量%s工作质量的指标之一，本店的目标是%s不低于 %d.%d%%。" % (
            pick(r, METRICS), pick(r, STAFF), pick(r, ["本月", "本季度", "大促期间", "日常"]),
            r.randrange(60, 99), r.randrange(10))
    if k == 3:
        return "很多新同事会%s，这样很可能导致%s。" % (pick(r, BAD), pick(r, PENALTY).replace("会", "", 1))
    if k == 4:
        return "如果%s，先安抚%s的情绪，讲清楚%s的处理时间，然后%s，目的是%s。" % (
            pick(r, SITUATION), pick(r, BUYER), pick(r, SUBJ), pick(r, ACTS), pick(r, RESULT))
    if k == 5:
        return "%s里的「%s」功能可以帮你%s，常用的快捷键是 `Ctrl+%s`。" % (
            pick(r, TOOLS), pick(r, FEATURES), pick(r, ACTS), pick(r, "ABDEFGKLQR"))
    if k == 6:
        return "记住一句话：%s。" % bold(r, pick(r, MOTTO))
    if k == 7:
        return "举个例子：%s在%s咨询%s，%s%s，最后%s。" % (
            pick(r, BUYER), pick(r, ["晚上十一点", "双十二零点", "周日上午", "午休时间", "发货当天"]), pick(r, SUBJ),
            pick(r, STAFF), pick(r, ACTS), pick(r, ["买家给了好评", "顺利避免了一次投诉", "订单没有进入纠纷",
                                                    "买家追加购买了一件"]))
    if k == 8:
        return "%s，订单金额超过 ¥%d 的%s需要%s复核，登记编号格式为 `CS-%04d`。" % (
            pick(r, OPENERS), pick(r, [99, 199, 299, 500, 1000, 2000]), pick(r, SUBJ), pick(r, STAFF),
            r.randrange(10000))
    return "%s，%s%s%s的比例大约是 %d%%，所以%s。" % (
        pick(r, OPENERS), pick(r, ["大促期间", "夜班", "周末", "新品上市时"]), pick(r, SUBJ),
        pick(r, ["占全部咨询", "升级到组长", "最终退款", "需要补发"]), r.randrange(3, 60),
        pick(r, ["排班时要留出余量", "快捷短语要提前准备", "交接时要写清楚", "质检会重点抽查"]))


def paragraph(r, lo=2, hi=4):
    return "".join(sentence(r) for _ in range(r.randint(lo, hi)))


def table(r):
    k = r.randrange(3)
    if k == 0:
        rows = [["情形", "处理时限", "负责人", "备注"]]
        for _ in range(r.randint(3, 6)):
            rows.append([pick(r, SITUATION), pick(r, DEADLINE), pick(r, STAFF), pick(r, RESULT)])
    elif k == 1:
        rows = [["指标", "目标", "统计口径"]]
        for m in r.sample(METRICS, r.randint(3, 6)):
            rows.append([m, "%d.%d%%" % (r.randrange(50, 100), r.randrange(10)),
                         pick(r, ["按天", "按周", "按月", "按活动"]) + pick(r, ["统计", "汇总", "抽样"])])
    else:
        rows = [["违规行为", "后果", "如何避免"]]
        for _ in range(r.randint(3, 5)):
            rows.append([pick(r, BAD), pick(r, PENALTY), pick(r, ACTS)])
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join(" --- " for _ in rows[0]) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def dialogue(r):
    lines = ["```dialogue"]
    if r.random() < 0.3:
        lines.append("> %s" % pick(r, SITUATION))
    for _ in range(r.randint(2, 4)):
        lines.append("%s: %s" % (pick(r, ["客户", "买家", "顾客"]),
                                 pick(r, C_LINES).format(s=pick(r, SUBJ), sit=pick(r, SITUATION))))
        lines.append("%s: %s" % (pick(r, ["客服", "客服", "卖家"]),
                                 pick(r, A_LINES).format(a=pick(r, ACTS), d=pick(r, DEADLINE),
                                                         m=pick(r, [5, 10, 20]))))
    lines.append("```")
    return "\n".join(lines)


def callout(r, kind=None):
    kind = kind or pick(r, ["TIP", "NOTE", "WARNING", "IMPORTANT", "CAUTION"])
    if kind == "RULE":
        head = "> [!RULE] %s%s：%s" % (pick(r, SUBJ), pick(r, ["时限", "处罚", "赔付", "规定"]), pick(r, PENALTY))
    else:
        head = "> [!%s]" % kind + (" " + pick(r, MOTTO) if r.random() < 0.4 else "")
    body = ["> " + sentence(r) for _ in range(r.randint(1, 2))]
    return "\n".join([head] + body)


def code_block(r):
    obj = {"ticket": "CS-%04d" % r.randrange(10000), "type": pick(r, SUBJ), "amount": r.randrange(9, 2000),
           "status": pick(r, ["待处理", "处理中", "已完结"]), "deadline": pick(r, DEADLINE)}
    return "```json\n%s\n```" % json.dumps(obj, ensure_ascii=False, indent=2)


# ---------------------------------------------------------------------------
# The plan: leaf sections, pages, headings
# ---------------------------------------------------------------------------

class Page:
    __slots__ = ("idx", "dir", "file", "title", "weight", "headings", "rng_seed", "section_title", "links")

    @property
    def source(self):
        return self.dir + "/" + self.file


def leaf_sizes(n, r):
    """Splits n pages into batches of 20-60 (one smaller batch only if n < 20)."""
    sizes = []
    left = n
    while left > 60:
        s = r.randint(20, 60)
        if 0 < left - s < 20:
            s = left - 20
        sizes.append(s)
        left -= s
    if left:
        sizes.append(left)
    return sizes


def plan_site(n, seed):
    r = random.Random("plan:%d" % seed)
    sizes = leaf_sizes(n, r)
    topics = []  # topic-major, so every part gets leaves early
    for t in range(8):
        for part, ptitle, tlist in PARTS:
            folder, ttitle, stems = tlist[t]
            topics.append((part, ptitle, folder, ttitle, stems))
    per_topic = [[] for _ in topics]
    for i, size in enumerate(sizes):
        per_topic[i % len(topics)].append(size)
    sections = []  # (dir, title, weight, kind)
    leaves = []  # (dir, title, size, stems)
    seen_parts = []
    for ti, (part, ptitle, folder, ttitle, stems) in enumerate(topics):
        batches = per_topic[ti]
        if not batches:
            continue
        if part not in seen_parts:
            seen_parts.append(part)
        tdir = part + "/" + folder
        sections.append((tdir, ttitle, 10 * (ti // len(PARTS) + 1)))
        if len(batches) == 1:
            leaves.append((tdir, ttitle, batches[0], stems))
        else:
            for bi, size in enumerate(batches):
                slug, name = TEAMS[bi % len(TEAMS)]
                if bi >= len(TEAMS):
                    slug, name = "%s-%d" % (slug, bi // len(TEAMS) + 1), "%s（%d）" % (name, bi // len(TEAMS) + 1)
                ldir = tdir + "/" + slug
                sections.append((ldir, ttitle + "·" + name, 10 * (bi + 1)))
                leaves.append((ldir, ttitle + "·" + name, size, stems))
    parts = [(p, t, 10 * (i + 1)) for i, (p, t, _) in enumerate(PARTS) if p in seen_parts]
    sections = [(p, t, w) for p, t, w in parts] + sections
    sections.sort(key=lambda s: s[0])

    pages = []
    for ldir, ltitle, size, stems in leaves:
        used_titles = {}
        for w in range(size):
            p = Page()
            p.idx = len(pages)
            p.dir = ldir
            p.file = "%s-%05d.md" % (stems[w % len(stems)], p.idx)
            p.weight = 10 * (w + 1)
            p.section_title = ltitle
            p.rng_seed = "page:%d:%d" % (seed, p.idx)
            t = "%s的%s" % (pick(r, SUBJ), pick(r, ASPECTS))
            if t in used_titles:
                used_titles[t] += 1
                t = "%s（%s）" % (t, ORD[(used_titles[t] - 1) % 10] if used_titles[t] <= 10 else used_titles[t])
            else:
                used_titles[t] = 1
            p.title = t
            pages.append(p)
    return sections, pages


def page_outline(p):
    """The page's headings (level, text, id), decided before any body is written so that
    other pages can link to the anchors."""
    r = random.Random(p.rng_seed + ":outline")
    ids = Ids()
    heads = []
    n2 = r.randint(3, 6)
    extra = r.sample(HEAD_EXTRA, 2)
    numbered = 0
    for i in range(n2):
        if i == 1 and r.random() < 0.6:
            text = extra[0]
        elif i == n2 - 1 and r.random() < 0.4:
            text = extra[1]
        else:
            if r.random() < 0.7:
                text = "%s、%s" % (ORD[numbered], pick(r, ASPECTS))
                numbered += 1
            else:
                text = "%s%s" % (pick(r, SUBJ), pick(r, ASPECTS))
        heads.append((2, text, ids.unique(slugify(text))))
        if r.random() < 0.35:
            for j in range(r.randint(1, 2)):
                sub = pick(r, ["情形 %d：%s" % (j + 1, pick(r, SITUATION)), "%s怎么做" % pick(r, ACTS),
                               "第 %d 步" % (j + 1), "%s（%s）" % (pick(r, SUBJ), pick(r, ["必读", "选读", "示例"]))])
                heads.append((3, sub, ids.unique(slugify(sub))))
    return heads


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

def toml_str(s):
    return json.dumps(s, ensure_ascii=False)


def rel(from_dir, target):
    return posixpath.relpath(target, from_dir)


def link_to_page(r, src, dst, anchor_prob=0.6):
    href = rel(src.dir, dst.source)
    if dst.headings and r.random() < anchor_prob:
        level, text, hid = pick(r, dst.headings)
        return "[%s · %s](%s#%s)" % (dst.title, text, href, hid), 1
    return "[%s](%s)" % (dst.title, href), 0


def page_text(p, pages, by_dir, section_dirs, titles, stats):
    r = random.Random(p.rng_seed)
    fm = ["+++", "title = %s" % toml_str(p.title), "weight = %d" % p.weight,
          "description = %s" % toml_str(sentence(r).replace("**", "").replace("`", "")),
          "tags = [%s]" % ", ".join(toml_str(t) for t in r.sample(KEYWORD_TAGS, r.randint(1, 3)))]
    if r.random() < 0.4:
        fm.append("effective = %d-%02d-%02d" % (r.randint(2023, 2026), r.randint(1, 12), r.randint(1, 28)))
    if r.random() < 0.3:
        fm.append("review_by = %d-%02d-01" % (r.choice([2030, 2030, 2031]), r.randint(1, 12)))
    fm += ["", "[extra]", "owner = %s" % toml_str(pick(r, OWNERS)), "level = %s" % toml_str(pick(r, LEVELS)), "+++", ""]

    siblings = by_dir[p.dir]
    target_bytes = r.randint(2000, 5500)
    out = [paragraph(r, 2, 3)]
    if r.random() < 0.5:
        out.append("学完本课，你将能够：\n\n" + "\n".join("- " + sentence(r) for _ in range(r.randint(2, 4))))
    links_left = r.randint(1, 4)
    rule_done = False
    dialogue_done = False
    size = sum(len(x.encode()) for x in out)
    for hi, (level, text, hid) in enumerate(p.headings):
        out.append("#" * level + " " + text)
        nxt = p.headings[hi + 1][0] if hi + 1 < len(p.headings) else 2
        if level == 2 and nxt == 3:
            out.append(paragraph(r, 1, 2))  # short lead-in before the sub-headings
            continue
        budget_left = target_bytes - size
        kinds = ["p", "p", "ul", "ol", "table", "callout", "dialogue", "rule"]
        k = pick(r, kinds)
        if not rule_done and hi == 1:
            k = "rule"
        if not dialogue_done and hi == len(p.headings) - 1 and r.random() < 0.8:
            k = "dialogue"
        if k == "p":
            out.append(paragraph(r))
        elif k == "ul":
            out.append(paragraph(r, 1, 1))
            out.append("\n".join("- " + sentence(r) for _ in range(r.randint(3, 6))))
        elif k == "ol":
            out.append("具体步骤如下：")
            out.append("\n".join("%d. %s" % (i + 1, sentence(r)) for i in range(r.randint(3, 6))))
        elif k == "table":
            out.append(paragraph(r, 1, 1))
            out.append(table(r))
        elif k == "callout":
            out.append(paragraph(r, 1, 2))
            out.append(callout(r))
        elif k == "rule":
            rule_done = True
            out.append(paragraph(r, 1, 2))
            out.append(callout(r, "RULE"))
        else:
            dialogue_done = True
            out.append("参考下面的对话：")
            out.append(dialogue(r))
        if budget_left > 1500 and r.random() < 0.6:
            out.append(paragraph(r, 1, 3))
        if r.random() < 0.05:
            out.append("工单系统里的记录示例：")
            out.append(code_block(r))
        if links_left and r.random() < 0.5:
            links_left -= 1
            roll = r.random()
            if roll < 0.45 and len(siblings) > 1:
                dst = pick(r, siblings)
            else:
                dst = pages[r.randrange(len(pages))]
            if dst is not p:
                md, anchored = link_to_page(r, p, dst)
                out.append("详细%s请参见%s。" % (pick(r, ["规则", "流程", "说明", "话术"]), md))
                stats["links"] += 1
                stats["anchored_links"] += anchored
        size = sum(len(x.encode()) for x in out)
    # same-page anchor and a section link, then related reading
    if len(p.headings) > 2 and r.random() < 0.5:
        level, text, hid = pick(r, p.headings[1:])
        out.append("回顾本页的[%s](#%s)部分，再做下面的练习。" % (text, hid))
        stats["links"] += 1
        stats["anchored_links"] += 1
    related = []
    for _ in range(r.randint(0, 3)):
        if r.random() < 0.25:
            sdir = pick(r, section_dirs)
            related.append("- [%s 概览](%s)" % (titles[sdir], rel(p.dir, sdir + "/_index.md")))
        else:
            dst = pick(r, siblings) if r.random() < 0.5 else pages[r.randrange(len(pages))]
            if dst is p:
                continue
            md, anchored = link_to_page(r, p, dst, 0.4)
            related.append("- " + md)
            stats["anchored_links"] += anchored
        stats["links"] += 1
    if related:
        out.append("**相关阅读**")
        out.append("\n".join(related))
    text = "\n".join(fm) + "\n" + "\n\n".join(out) + "\n"
    return text


def section_text(sdir, title, weight, child_pages, child_dirs, seed):
    r = random.Random("section:%d:%s" % (seed, sdir))
    fm = ["+++", "title = %s" % toml_str(title), "weight = %d" % weight,
          "description = %s" % toml_str("%s：%s" % (title, sentence(r).replace("**", "").replace("`", ""))), "+++", ""]
    out = [paragraph(r, 2, 3)]
    if child_dirs:
        out.append("## 本部分包括\n\n" + "\n".join(
            "- [%s](%s)" % (t, rel(sdir, d + "/_index.md")) for d, t in child_dirs))
    if child_pages:
        first = child_pages[: min(5, len(child_pages))]
        out.append("## 建议先读\n\n" + "\n".join(
            "%d. [%s](%s)" % (i + 1, p.title, p.file) for i, p in enumerate(first)))
    if r.random() < 0.5:
        out.append(callout(r, "IMPORTANT"))
    return "\n".join(fm) + "\n" + "\n\n".join(out) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


SHOUCE_TOML = """title = "基准手册"
description = "Shouce 基准测试用的合成客服培训手册"
base_url = "/"
language = "zh-CN"
theme = "default"

[markdown]
broken_links = "error"
raw_html = "sanitize"
"""


def generate(n, out, seed, theme):
    sections, pages = plan_site(n, seed)
    for p in pages:
        p.headings = page_outline(p)
    by_dir = {}
    for p in pages:
        by_dir.setdefault(p.dir, []).append(p)
    section_dirs = [d for d, _, _ in sections]
    titles = {d: t for d, t, _ in sections}
    stats = {"pages": len(pages), "sections": len(sections), "leaf_sections": len(by_dir),
             "links": 0, "anchored_links": 0, "bytes": 0}

    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    write(os.path.join(out, "shouce.toml"), SHOUCE_TOML)
    content = os.path.join(out, "content")

    parts = [(d, t) for d, t, _ in sections if "/" not in d]
    r = random.Random("home:%d" % seed)
    home = ["+++", 'title = "基准手册"', "description = %s" % toml_str("合成的客服培训手册，共 %d 页" % len(pages)),
            "+++", "", paragraph(r, 2, 3), "",
            "## 目录", "", "\n".join("- [%s](%s/_index.md)" % (t, d) for d, t in parts), "",
            callout(r, "TIP"), ""]
    write(os.path.join(content, "_index.md"), "\n".join(home))
    for d, t, w in sections:
        kids = [(c, titles[c]) for c in section_dirs if c.startswith(d + "/") and "/" not in c[len(d) + 1:]]
        text = section_text(d, t, w, by_dir.get(d, []), kids, seed)
        stats["bytes"] += len(text.encode())
        write(os.path.join(content, *d.split("/"), "_index.md"), text)
    for p in pages:
        text = page_text(p, pages, by_dir, section_dirs, titles, stats)
        stats["bytes"] += len(text.encode())
        write(os.path.join(content, *p.dir.split("/"), p.file), text)

    if theme:
        shutil.copytree(theme, os.path.join(out, "themes", "default"))
    return stats


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, required=True, help="number of content pages (not counting _index.md)")
    ap.add_argument("--out", required=True, help="site folder to write (replaced if it exists)")
    ap.add_argument("--seed", type=int, default=1212)
    ap.add_argument("--theme", default=os.path.join(REPO, "themes", "default"),
                    help="theme folder copied to OUT/themes/default (default: the repo's themes/default)")
    ap.add_argument("--no-theme", action="store_true", help="do not copy a theme")
    ap.add_argument("--stats", action="store_true", help="print corpus statistics as JSON")
    opts = ap.parse_args(argv)
    if opts.pages < 1:
        ap.error("--pages must be >= 1")
    theme = None if opts.no_theme else opts.theme
    if theme and not os.path.isdir(theme):
        ap.error("no theme folder at %s (use --theme or --no-theme)" % theme)
    out = os.path.abspath(opts.out)
    if os.path.realpath(out) in (os.path.realpath(REPO), os.path.realpath(os.path.join(REPO, "content"))):
        ap.error("refusing to overwrite the repository's own site")
    stats = generate(opts.pages, out, opts.seed, theme)
    if opts.stats:
        json.dump(stats, sys.stdout, ensure_ascii=False)
        print()


if __name__ == "__main__":
    main()
