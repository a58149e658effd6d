package statistics

// labels are the export workbook's headings in both languages of the
// console (the console's own texts live in frontend/src/i18n/stats.*.ts).
var labels = map[string][2]string{ // key: {zh-CN, en}
	"sheet.summary":      {"汇总", "Summary"},
	"sheet.trend":        {"趋势", "Trend"},
	"sheet.channels":     {"报名渠道", "Channels"},
	"sheet.centres":      {"考点", "Centres"},
	"sheet.subjects":     {"科目", "Subjects"},
	"sheet.certificates": {"证件", "Certificates"},
	"sheet.sms":          {"短信", "SMS"},
	"sheet.funnel":       {"漏斗", "Funnel"},

	"col.figure":       {"指标", "Figure"},
	"col.zone":         {"统计时区", "Time zone"},
	"col.generated":    {"生成时间", "Generated at"},
	"col.bucket":       {"时间段", "Period"},
	"col.from":         {"起", "From"},
	"col.to":           {"止", "To"},
	"col.code":         {"渠道码", "Code"},
	"col.name":         {"名称", "Name"},
	"col.kind":         {"类型", "Kind"},
	"col.conversion":   {"扫码转化率(%)", "Conversion (%)"},
	"col.direct":       {"直接链接（无二维码）", "Direct link (no QR code)"},
	"col.centre":       {"考点", "Centre"},
	"col.subject":      {"科目", "Subject"},
	"col.first_graded": {"首次参考", "First sittings"},
	"col.first_passed": {"首次通过", "Passed first time"},
	"col.template":     {"短信模板", "Template"},
	"col.step":         {"环节", "Step"},
	"col.count":        {"数量", "Count"},

	"kind.online":          {"线上", "online"},
	"kind.window":          {"窗口", "window"},
	"subject.national":     {"全国公共科目", "National subject"},
	"subject.regional":     {"区域科目", "Regional subject"},
	"cert.taxi":            {"巡游出租汽车驾驶员证", "Cruising-taxi driver"},
	"cert.ride_hailing":    {"网络预约出租汽车驾驶员证", "Ride-hailing driver"},
	"funnel.scans":         {"扫码", "QR scans"},
	"funnel.registrations": {"报名", "Registrations"},
	"funnel.approved":      {"审核通过", "Approved"},
	"funnel.bookings":      {"预约", "Bookings"},
	"funnel.sittings":      {"参考", "Sittings"},
	"funnel.passed":        {"考试通过", "Passed"},
	"funnel.certified":     {"领证（人）", "Certified (people)"},

	"m.scans":             {"扫码次数", "QR scans"},
	"m.registrations":     {"报名人数", "Registrations"},
	"m.approved":          {"审核通过", "Approved"},
	"m.practice_sessions": {"练习次数", "Practice sessions"},
	"m.practice_answers":  {"练习答题数", "Practice answers"},
	"m.mock_started":      {"模拟考试", "Mock exams"},
	"m.bookings":          {"预约人次", "Bookings"},
	"m.sittings":          {"参考人次", "Sittings"},
	"m.no_shows":          {"缺考人次", "No-shows"},
	"m.graded":            {"有成绩", "Graded"},
	"m.passed":            {"通过", "Passed"},
	"m.cert_issued":       {"发证数", "Certificates issued"},
	"m.cert_mailed":       {"邮寄", "Mailed"},
	"m.cert_pickup":       {"窗口领取", "Collected at a window"},
	"m.replacements":      {"补换证", "Replacements"},
	"m.sms_sent":          {"短信发送", "SMS sent"},

	"fig.scans":                {"扫码次数", "QR scans"},
	"fig.registrations":        {"报名人数", "Registrations"},
	"fig.registrations_online": {"其中线上报名", "of which online"},
	"fig.registrations_window": {"其中窗口报名", "of which at a window"},
	"fig.approved":             {"审核通过", "Approved"},
	"fig.returned":             {"退回修改", "Returned for correction"},
	"fig.rejected":             {"不予通过", "Rejected"},
	"fig.review_hours":         {"平均审核用时(小时)", "Average review time (hours)"},
	"fig.practice_sessions":    {"练习次数（点击）", "Practice sessions (clicks)"},
	"fig.practice_answers":     {"练习答题数", "Practice answers"},
	"fig.mock_started":         {"模拟考试次数", "Mock exams"},
	"fig.bookings":             {"预约人次", "Bookings"},
	"fig.sittings":             {"参考人次", "Sittings"},
	"fig.no_shows":             {"缺考人次", "No-shows"},
	"fig.no_show_rate":         {"缺考率(%)", "No-show rate (%)"},
	"fig.pass_rate":            {"考试通过率(%)", "Pass rate (%)"},
	"fig.first_pass_rate":      {"首次通过率(%)", "First-sitting pass rate (%)"},
	"fig.certificates":         {"发证数", "Certificates issued"},
	"fig.mailed":               {"邮寄证件数", "Certificates mailed"},
	"fig.mail_rate":            {"邮寄率(%)", "Mail rate (%)"},
	"fig.dispatch_hours":       {"发证至寄出(小时)", "Issue to dispatch (hours)"},
	"fig.deliver_hours":        {"寄出至签收(小时)", "Dispatch to delivery (hours)"},
	"fig.sms_sent":             {"短信发送数", "SMS sent"},
	"fig.hours_saved":          {"预计节省时间(小时)", "Estimated hours saved"},
}

// label is key's heading in lang (zh-CN unless en).
func label(lang, key string) string {
	l, ok := labels[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}
