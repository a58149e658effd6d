package notify

import (
	"sort"
	"strings"

	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
)

// VarKind says how a template variable is shown to staff (the SMS itself
// always carries the real value).
type VarKind int

const (
	VarPlain  VarKind = iota // shown as is
	VarSecret                // verification codes: never shown
	VarName                  // a person's name: masked (张*)
)

// Var is one variable of a template.
type Var struct {
	Name string
	Kind VarKind
}

// Template is one message the product sends. Text is the reviewed wording
// (simplified Chinese, the signature is added by the carrier as 【签名】);
// ${var} marks each variable. Cloud SMS providers need every template
// registered with them: the registered codes live in the configuration
// (sms.aliyun.templates), keyed by Code.
type Template struct {
	Code string
	// Title names the message for staff.
	Title string
	Text  string
	Vars  []Var
	// Urgent messages ignore quiet hours (codes are wanted now).
	Urgent bool
}

// templates is THE list of every SMS the product sends, in one reviewable
// place. Keep each text short (an SMS of at most 70 characters incl. the
// signature is one billing unit) and free of links a carrier might block.
var templates = []Template{
	{Code: TplVerificationCode, Title: "登录验证码", Urgent: true,
		Text: "您的验证码为${code}，5分钟内有效。如非本人操作，请忽略本短信。",
		Vars: []Var{{"code", VarSecret}}},
	{Code: TplApplicationReceived, Title: "报名已受理",
		Text: "${name}，您的出租汽车驾驶员从业资格考试报名已提交，正在等待公安背景审查，结果将以短信通知。",
		Vars: []Var{{"name", VarName}}},
	{Code: TplBackgroundPassed, Title: "背景审查通过",
		Text: "${name}，您的背景审查已通过，请登录报名系统预约考试日期和场次。",
		Vars: []Var{{"name", VarName}}},
	{Code: TplBackgroundRejected, Title: "背景审查未通过",
		Text: "${name}，很遗憾，您的背景审查未通过，原因：${reason}。如有异议请联系交通运输局。",
		Vars: []Var{{"name", VarName}, {"reason", VarPlain}}},
	{Code: TplReturnedForCorrection, Title: "报名退回补正",
		Text: "${name}，您的报名材料需补正：${reason}。请登录报名系统修改后重新提交。",
		Vars: []Var{{"name", VarName}, {"reason", VarPlain}}},
	{Code: TplBookingConfirmed, Title: "预约成功",
		Text: "${name}，您已预约${date} ${session}在${centre}（${address}）参加考试，请携带身份证提前30分钟到达。",
		Vars: []Var{{"name", VarName}, {"date", VarPlain}, {"session", VarPlain}, {"centre", VarPlain}, {"address", VarPlain}}},
	{Code: TplExamReminder, Title: "考前提醒",
		Text: "${name}，提醒您明天（${date}）${time}在${centre}参加考试，地址：${address}。请携带身份证提前30分钟到达。",
		Vars: []Var{{"name", VarName}, {"date", VarPlain}, {"time", VarPlain}, {"centre", VarPlain}, {"address", VarPlain}}},
	{Code: TplBookingRescheduled, Title: "改约成功",
		Text: "${name}，您的考试已改约至${date} ${session}，考点：${centre}，原预约已取消，请以新准考证为准。",
		Vars: []Var{{"name", VarName}, {"date", VarPlain}, {"session", VarPlain}, {"centre", VarPlain}}},
	{Code: TplBookingCancelled, Title: "预约已取消",
		Text: "${name}，您${date} ${time}在${centre}的考试预约已取消。如需参加考试，请登录报名系统重新预约。",
		Vars: []Var{{"name", VarName}, {"date", VarPlain}, {"time", VarPlain}, {"centre", VarPlain}}},
	{Code: TplWaitlistOffer, Title: "候补座位",
		Text: "${name}，${date} ${time}${centre}有座位空出，已为您保留至${until}，请登录报名系统确认预约，逾期顺延给下一位。",
		Vars: []Var{{"name", VarName}, {"date", VarPlain}, {"time", VarPlain}, {"centre", VarPlain}, {"until", VarPlain}}},
	{Code: TplSessionCancelled, Title: "场次取消",
		Text: "${name}，很抱歉，${date} ${time}${centre}的考试场次已取消，您的预约随之取消，重新预约时您享有优先权。",
		Vars: []Var{{"name", VarName}, {"date", VarPlain}, {"time", VarPlain}, {"centre", VarPlain}}},
	{Code: TplResult, Title: "考试成绩",
		Text: "${name}，您的考试成绩：${scores}，结果：${result}。",
		Vars: []Var{{"name", VarName}, {"result", VarPlain}, {"scores", VarPlain}}},
	{Code: TplCertificatesIssued, Title: "证件已发放",
		Text: "${name}，您的${kinds}已发放，电子证件请登录${link}查看。",
		Vars: []Var{{"name", VarName}, {"kinds", VarPlain}, {"link", VarPlain}}},
	{Code: TplCertificateMailed, Title: "证件已寄出",
		Text: "${name}，您的从业资格证已由中国邮政寄出，运单号${waybill}，请注意查收。",
		Vars: []Var{{"name", VarName}, {"waybill", VarPlain}}},
	{Code: TplReadyForPickup, Title: "证件待领取",
		Text: "${name}，您的从业资格证已可领取，请携带身份证到${office}（${address}）办理。",
		Vars: []Var{{"name", VarName}, {"office", VarPlain}, {"address", VarPlain}}},
	{Code: TplCertificateReturned, Title: "证件邮件退回",
		Text: "${name}，您的从业资格证邮件已退回，请携带身份证到${office}（${address}）领取。",
		Vars: []Var{{"name", VarName}, {"office", VarPlain}, {"address", VarPlain}}},
	{Code: TplCertificateReplaced, Title: "证件补发/换发",
		Text: "${name}，您的${kind}已${action}，原证作废，新电子证件请登录${link}查看。",
		Vars: []Var{{"name", VarName}, {"kind", VarPlain}, {"action", VarPlain}, {"link", VarPlain}}},
	{Code: TplCertificateRevoked, Title: "证件注销",
		Text: "${name}，您的${kind}已注销，原因：${reason}。如有异议请联系发证机关。",
		Vars: []Var{{"name", VarName}, {"kind", VarPlain}, {"reason", VarPlain}}},
}

var templateByCode = func() map[string]Template {
	m := make(map[string]Template, len(templates))
	for _, t := range templates {
		if _, dup := m[t.Code]; dup {
			panic("notify: template " + t.Code + " declared twice")
		}
		m[t.Code] = t
	}
	return m
}()

// Templates returns every template, sorted by code.
func Templates() []Template {
	out := append([]Template(nil), templates...)
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// TemplateByCode finds a template.
func TemplateByCode(code string) (Template, bool) {
	t, ok := templateByCode[code]
	return t, ok
}

// maxParamRunes bounds one variable: carriers reject longer ones.
const maxParamRunes = 100

// Check validates params against the template: every variable present and
// non-empty, no unknown ones.
func (t Template) Check(params map[string]string) error {
	f := apperr.Fields{}
	known := map[string]bool{}
	for _, v := range t.Vars {
		known[v.Name] = true
		val := strings.TrimSpace(params[v.Name])
		if val == "" {
			f.Add("params."+v.Name, rsnTemplateVarRequired.With("template", t.Code))
		} else if len([]rune(val)) > maxParamRunes {
			f.Add("params."+v.Name, apperr.MaxChars(maxParamRunes))
		}
	}
	for k := range params {
		if !known[k] {
			f.Add("params."+k, rsnTemplateVarUnknown.With("template", t.Code))
		}
	}
	return f.Err()
}

// Render fills the text with params.
func (t Template) Render(params map[string]string) string {
	return t.render(params, false)
}

// RenderForStaff fills the text with codes hidden and names masked.
func (t Template) RenderForStaff(params map[string]string) string {
	return t.render(params, true)
}

func (t Template) render(params map[string]string, redact bool) string {
	pairs := make([]string, 0, 2*len(t.Vars))
	for _, v := range t.Vars {
		val := params[v.Name]
		if redact {
			switch v.Kind {
			case VarSecret:
				val = "******"
			case VarName:
				val = pii.MaskName(val)
			}
		}
		pairs = append(pairs, "${"+v.Name+"}", val)
	}
	return strings.NewReplacer(pairs...).Replace(t.Text)
}
