// Package archivepdf prints a candidate's dossier as an A4 PDF for the
// archive office: every section of the record as tables, and each formal
// paper question by question. Chinese is set in the font the certificates
// use (cert/certpdf.NewDocument embeds it; each PDF carries only the
// glyphs it uses).
package archivepdf

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"taxiexam/cert/certpdf"
	"taxiexam/internal/archive"
)

// Renderer implements archive.Printer.
type Renderer struct{}

var _ archive.Printer = Renderer{}

const (
	left, right = 15.0, 15.0
	width       = 210 - left - right
	rowH        = 5.5
)

type doc struct {
	*fpdf.Fpdf
}

// PDF renders r and its formal papers.
func (Renderer) PDF(r archive.Record, papers []archive.PaperRecord) ([]byte, error) {
	title := fmt.Sprintf("考生档案 %s（考生编号 %d）", r.Candidate.Name, r.Candidate.CandidateID)
	d := doc{certpdf.NewDocument(title, r.GeneratedAt)}
	d.SetMargins(left, 18, right)
	d.SetAutoPageBreak(true, 16)
	d.SetFooterFunc(func() {
		d.SetY(-12)
		d.SetFont(certpdf.Family, "", 8)
		d.SetTextColor(120, 120, 120)
		d.CellFormat(width/2, 5, "出租汽车驾驶员从业资格考试 · 考生档案 · "+r.Format, "", 0, "L", false, 0, "")
		d.CellFormat(width/2, 5, fmt.Sprintf("第 %d 页", d.PageNo()), "", 0, "R", false, 0, "")
	})
	d.AddPage()

	d.SetFont(certpdf.Family, "", 17)
	d.SetTextColor(20, 50, 120)
	d.CellFormat(width, 10, "出租汽车驾驶员从业资格考试 考生档案", "", 1, "C", false, 0, "")
	d.SetFont(certpdf.Family, "", 9)
	d.SetTextColor(90, 90, 90)
	note := "个人信息已脱敏"
	if r.FullData {
		note = "含完整个人信息，仅限档案管理使用（本次导出已记入审计日志）"
	}
	d.CellFormat(width, 5, fmt.Sprintf("生成时间 %s · %s", stamp(r.GeneratedAt), note), "", 1, "C", false, 0, "")
	d.Ln(3)

	d.section("一、基本信息")
	d.pairs([][2]string{
		{"姓名", r.Candidate.Name}, {"证件号码", r.Candidate.IDNumber}, {"手机号码", r.Candidate.Phone},
		{"考生编号", strconv.FormatInt(r.Candidate.CandidateID, 10)}, {"注册时间", stamp(r.Candidate.RegisteredAt)},
	})

	d.section("二、报名申请与公安审核")
	if len(r.Applications) == 0 {
		d.none()
	}
	for _, a := range r.Applications {
		f := a.Form
		d.sub(fmt.Sprintf("申请 #%d · %s", a.ID, statusName(a.Status)))
		d.pairs([][2]string{
			{"报名渠道", orDash(a.Channel)}, {"创建时间", stamp(a.CreatedAt)}, {"首次提交", stampPtr(a.SubmittedAt)}, {"审核决定", stampPtr(a.DecidedAt)},
			{"姓名", f.Name}, {"证件号码", f.IDNumber}, {"准驾车型", f.LicenceClass}, {"初领驾照", f.LicenceFirstIssued},
			{"住址", f.Address}, {"申领证件", kinds(f.WantTaxi, f.WantRideHailing)}, {"领取方式", delivery(f)},
			{"核查结果", checks(a.Checks)}, {"退回/不予受理原因", orDash(strings.TrimSpace(a.ReasonCode + " " + a.Reason))},
		})
		if len(a.History) > 0 {
			rows := make([][]string, len(a.History))
			for i, h := range a.History {
				rows[i] = []string{stamp(h.At), statusName(h.Status), h.Actor, h.Note, h.SMS}
			}
			d.table([]string{"时间", "状态", "操作人", "说明", "短信"}, []float64{34, 22, 24, 70, 30}, rows)
		}
		if len(a.Versions) > 0 {
			rows := make([][]string, len(a.Versions))
			for i, v := range a.Versions {
				ch := strings.Join(v.Changed, "、")
				if v.Version == 1 {
					ch = "（首次提交）"
				}
				rows[i] = []string{strconv.Itoa(v.Version), stamp(v.SubmittedAt), v.Form.Name, orDash(ch)}
			}
			d.table([]string{"版本", "提交时间", "姓名", "与上一版本相比修改"}, []float64{14, 36, 30, 100}, rows)
		}
	}

	d.section("三、考试预约（改约、取消、缺考）")
	rows := [][]string{}
	for _, b := range r.Bookings {
		rows = append(rows, []string{strconv.FormatInt(b.ID, 10), stamp(b.StartsAt), b.Centre + " " + b.Room, strconv.Itoa(b.Seat), b.TicketNo, bookingName(b.Status), replaces(b.ReplacesID)})
	}
	d.table([]string{"预约号", "场次时间", "考点 / 考场", "座位", "准考证号", "状态", "改约自"}, []float64{16, 32, 52, 12, 30, 20, 18}, rows)

	d.section("四、模拟考试与正式考试")
	rows = [][]string{}
	for _, a := range r.Attempts {
		var parts []string
		for _, s := range a.Sections {
			parts = append(parts, fmt.Sprintf("%s %d/%d", subjectName(s.Subject), s.Score, s.TotalPoints))
		}
		rows = append(rows, []string{strconv.FormatInt(a.ID, 10), kindName(a.Kind), stamp(a.StartedAt), stampPtr(a.SubmittedAt), strings.Join(parts, "；"), yes(a.Passed, "合格", "不合格")})
	}
	d.table([]string{"编号", "类型", "开始", "交卷", "得分", "结果"}, []float64{14, 16, 32, 32, 66, 20}, rows)

	d.section("五、科目成绩与有效期")
	rows = [][]string{}
	for _, x := range r.Results {
		rows = append(rows, []string{subjectName(x.Subject), fmt.Sprintf("%d/%d（合格线 %d%%）", x.Score, x.TotalPoints, x.PassPercent), yes(x.Passed, "合格", "不合格"),
			stamp(x.SatAt), day(x.ValidUntil), yes(x.ValidNow, "有效", "—")})
	}
	d.table([]string{"科目", "得分", "结果", "考试时间", "有效期至", "当前"}, []float64{30, 40, 18, 34, 34, 24}, rows)

	for _, p := range papers {
		d.section(fmt.Sprintf("六、正式考试答卷（考试编号 %d）", p.AttemptID))
		rows := [][]string{}
		for _, q := range p.Questions {
			rows = append(rows, []string{strconv.Itoa(q.Position), subjectName(q.Subject), fmt.Sprintf("%d@v%d", q.QuestionID, q.Version),
				q.Stem, orDash(strings.Join(q.Given, "")), strings.Join(q.Answer, ""), yes(q.Correct, "√", "×")})
		}
		d.table([]string{"题号", "科目", "试题/版本", "题干", "作答", "答案", "对错"}, []float64{10, 22, 20, 92, 12, 12, 12}, rows)
	}

	d.section("七、证件及其变更历史")
	rows = [][]string{}
	for _, c := range r.Certificates {
		rows = append(rows, []string{strconv.FormatInt(c.ID, 10), certKind(c.Kind), strconv.Itoa(c.Version), c.LicenceID, c.IssuedOn, c.ExpiresOn, certStatus(c.Status)})
	}
	d.table([]string{"编号", "证件", "版本", "电子证照标识", "发证日期", "有效期至", "状态"}, []float64{12, 26, 10, 62, 22, 22, 26}, rows)
	for _, c := range r.Certificates {
		for _, e := range c.History {
			d.line(fmt.Sprintf("证件 #%d  %s  %s  %s  %s", c.ID, stamp(e.At), e.Action, e.Actor, e.Reason))
		}
	}

	d.section("八、证件送达")
	rows = [][]string{}
	for _, x := range r.Deliveries {
		who := x.CollectedBy
		if x.Proxy {
			who += "（代领：" + x.ProxyReason + "）"
		}
		rows = append(rows, []string{strconv.FormatInt(x.ID, 10), yes(x.Method == "post", "邮寄", "窗口领取"), x.Status, orDash(x.Waybill), stampPtr(x.DispatchedAt), stampPtr(x.CollectedAt), orDash(who)})
	}
	d.table([]string{"编号", "方式", "状态", "运单号", "寄出", "领取/签收", "领取人"}, []float64{12, 20, 22, 30, 32, 32, 32}, rows)

	d.section("九、短信与邮寄通知")
	rows = [][]string{}
	for _, m := range r.Messages {
		rows = append(rows, []string{stamp(m.CreatedAt), m.Title, m.To, m.Status, m.Summary})
	}
	d.table([]string{"时间", "通知", "接收", "状态", "内容"}, []float64{32, 30, 24, 14, 80}, rows)

	d.section("十、工作人员操作记录（审计日志）")
	rows = [][]string{}
	for _, a := range r.StaffActions {
		rows = append(rows, []string{stamp(a.At), a.Actor, a.Action, a.Target, a.IP})
	}
	d.table([]string{"时间", "操作人", "操作", "对象", "地址"}, []float64{32, 44, 46, 32, 26}, rows)

	d.section("十一、防篡改账本记录")
	rows = [][]string{}
	for _, l := range r.Ledger {
		rows = append(rows, []string{strconv.FormatInt(l.Seq, 10), l.Kind, l.Subject, stamp(l.At), l.Hash[:min(len(l.Hash), 24)] + "…"})
	}
	d.table([]string{"序号", "类型", "对象", "时间", "哈希（前 24 位）"}, []float64{14, 30, 36, 34, 66}, rows)

	var b bytes.Buffer
	if err := d.Output(&b); err != nil {
		return nil, fmt.Errorf("archivepdf: %w", err)
	}
	return b.Bytes(), nil
}

func (d doc) section(title string) {
	d.Ln(3)
	if d.GetY() > 255 {
		d.AddPage()
	}
	d.SetFont(certpdf.Family, "", 12)
	d.SetTextColor(20, 50, 120)
	d.SetDrawColor(30, 80, 160)
	d.CellFormat(width, 7, title, "B", 1, "L", false, 0, "")
	d.Ln(1.5)
	d.SetTextColor(0, 0, 0)
}

func (d doc) sub(title string) {
	d.SetFont(certpdf.Family, "", 10.5)
	d.CellFormat(width, 6, title, "", 1, "L", false, 0, "")
}

func (d doc) none() {
	d.SetFont(certpdf.Family, "", 9)
	d.SetTextColor(120, 120, 120)
	d.CellFormat(width, rowH, "（无）", "", 1, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
}

func (d doc) line(s string) {
	d.SetFont(certpdf.Family, "", 8.5)
	d.MultiCell(width, 4.5, s, "", "L", false)
}

// pairs prints label: value in two columns.
func (d doc) pairs(kv [][2]string) {
	const lw, vw = 24.0, width/2 - 24
	for i, p := range kv {
		d.SetFont(certpdf.Family, "", 8.5)
		d.SetTextColor(100, 100, 100)
		d.CellFormat(lw, rowH, p[0], "", 0, "L", false, 0, "")
		d.SetFont(certpdf.Family, "", 9.5)
		d.SetTextColor(0, 0, 0)
		ln := 0
		if i%2 == 1 || i == len(kv)-1 {
			ln = 1
		}
		d.CellFormat(vw, rowH, d.fit(orDash(p[1]), vw), "", ln, "L", false, 0, "")
	}
}

// table prints a header and rows; a cell too long for its column is cut
// with an ellipsis (the zip holds every value whole).
func (d doc) table(head []string, w []float64, rows [][]string) {
	if len(rows) == 0 {
		d.none()
		return
	}
	header := func() {
		d.SetFont(certpdf.Family, "", 8.5)
		d.SetFillColor(232, 238, 248)
		for i, h := range head {
			d.CellFormat(w[i], rowH, h, "1", 0, "L", true, 0, "")
		}
		d.Ln(-1)
	}
	header()
	d.SetFont(certpdf.Family, "", 8)
	for _, r := range rows {
		if d.GetY()+rowH > 281 {
			d.AddPage()
			header()
			d.SetFont(certpdf.Family, "", 8)
		}
		for i, c := range r {
			d.CellFormat(w[i], rowH, d.fit(c, w[i]-1.5), "1", 0, "L", false, 0, "")
		}
		d.Ln(-1)
	}
}

// fit cuts s to the width w (mm) in the current font.
func (d doc) fit(s string, w float64) string {
	s = strings.Join(strings.Fields(s), " ")
	if d.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2006-01-02 15:04")
}

func stampPtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return stamp(*t)
}

func day(t time.Time) string { return t.Format("2006-01-02") }

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func yes(b bool, y, n string) string {
	if b {
		return y
	}
	return n
}

func replaces(id int64) string {
	if id == 0 {
		return "—"
	}
	return "#" + strconv.FormatInt(id, 10)
}

func kinds(taxi, ride bool) string {
	var out []string
	if taxi {
		out = append(out, "巡游车")
	}
	if ride {
		out = append(out, "网约车")
	}
	if len(out) == 0 {
		return "巡游车、网约车"
	}
	return strings.Join(out, "、")
}

func delivery(f archive.FormRecord) string {
	if f.Delivery == "pickup" {
		return "窗口领取 " + f.Office
	}
	rc := f.Receiver
	return fmt.Sprintf("邮寄 %s %s %s%s%s%s", rc.Name, rc.Phone, rc.Province, rc.City, rc.County, rc.Address)
}

func checks(m map[string]string) string {
	if len(m) == 0 {
		return "—"
	}
	found := 0
	for _, v := range m {
		if v == "found" {
			found++
		}
	}
	if found == 0 {
		return fmt.Sprintf("%d 项均无记录", len(m))
	}
	return fmt.Sprintf("%d 项中 %d 项有记录", len(m), found)
}

var statusNames = map[string]string{"draft": "草稿", "submitted": "待审核", "under_check": "审核中", "approved": "审核通过", "returned": "退回修改", "rejected": "不予受理"}

func statusName(s string) string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return s
}

var bookingNames = map[string]string{"booked": "已预约", "cancelled": "已取消", "rescheduled": "已改约", "session_cancelled": "场次取消", "checked_in": "已签到", "absent": "缺考", "sat": "已参考"}

func bookingName(s string) string {
	if n, ok := bookingNames[s]; ok {
		return n
	}
	return s
}

func kindName(k string) string { return yes(k == "formal", "正式考试", "模拟考试") }

func subjectName(s string) string {
	switch s {
	case "national":
		return "全国公共科目"
	case "regional":
		return "区域科目"
	}
	return s
}

func certKind(k string) string {
	return yes(k == "ride_hailing", "网约车驾驶员证", "巡游车从业资格证")
}

var certStatuses = map[string]string{"valid": "有效", "replaced": "已换发", "revoked": "已吊销", "expired": "已过期"}

func certStatus(s string) string {
	if n, ok := certStatuses[s]; ok {
		return n
	}
	return s
}
