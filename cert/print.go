package cert

import (
	"bytes"
	"context"
	"html/template"

	qrcode "github.com/skip2/go-qrcode"

	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
)

// Printer renders a certificate as a printable PDF (certpdf).
type Printer interface {
	PDF(c Card, photo []byte, qrPNG []byte) ([]byte, error)
}

// QRPNG encodes a verify URL as a PNG QR code (medium error correction:
// the printed code survives a crease).
func QRPNG(url string, size int) ([]byte, error) {
	return qrcode.Encode(url, qrcode.Medium, size)
}

// MyQRPNG is the QR code of one of the caller's certificates.
func (s *Service) MyQRPNG(ctx context.Context, id int64) ([]byte, error) {
	c, err := s.MyCertificate(ctx, id)
	if err != nil {
		return nil, err
	}
	return QRPNG(c.VerifyURL, 512)
}

// ErrNoPrinter means the PDF renderer is not wired (a configuration bug).
var ErrNoPrinter = apperr.New(apperr.KindUnavailable, "pdf_unavailable", "certificate printing is not available")

// MyPDF renders one of the caller's certificates.
func (s *Service) MyPDF(ctx context.Context, id int64) ([]byte, Card, error) {
	c, err := s.MyCertificate(ctx, id)
	if err != nil {
		return nil, Card{}, err
	}
	b, err := s.PDF(ctx, c)
	return b, c, err
}

// PDF renders a card with the holder's photo and its QR code.
func (s *Service) PDF(ctx context.Context, c Card) ([]byte, error) {
	if s.Printer == nil {
		return nil, ErrNoPrinter
	}
	photo, _, err := s.Applicants.Photo(ctx, c.ApplicationID)
	if err != nil && !apperr.ErrNotFound.Is(err) {
		return nil, err
	}
	qr, err := QRPNG(c.VerifyURL, 640)
	if err != nil {
		return nil, err
	}
	return s.Printer.PDF(c, photo, qr)
}

var sheet = template.Must(template.New("sheet").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>待寄送证件清单</title>
<style>
body{font:14px/1.5 "Noto Sans CJK SC","Droid Sans Fallback",sans-serif;margin:16px}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:4px 6px;text-align:left}
.label{border:1px dashed #333;padding:10px;margin:12px 0;page-break-inside:avoid;width:90mm}
@media print{.noprint{display:none}}
</style></head><body>
<h1>待寄送证件清单（{{len .Parcels}} 件）</h1>
<p class="noprint"><button onclick="print()">打印</button></p>
<table><thead><tr><th>#</th><th>持证人</th><th>证件号码</th><th>收件人</th><th>电话</th><th>寄送地址</th><th>运单号</th></tr></thead><tbody>
{{range .Parcels}}<tr><td>{{.ID}}</td><td>{{.Holder}}</td><td>{{.IDNumber}}</td><td>{{.Name}}</td><td>{{.Phone}}</td><td>{{.Address}}</td><td></td></tr>
{{end}}</tbody></table>
<h2>面单</h2>
{{range .Parcels}}<div class="label"><div>收件人：{{.Name}}　{{.Phone}}</div><div>地址：{{.Address}}</div>
<div>寄件人：{{$.Sender}}</div><div>内件：出租汽车驾驶员从业资格证件（包裹 #{{.ID}}）</div></div>
{{end}}</body></html>`))

type sheetRow struct {
	ID                                     int64
	Holder, IDNumber, Name, Phone, Address string
}

// ParcelSheet is the printable list and address labels of the parcels the
// clerk's office has to send (ordered, no waybill yet). The labels carry the
// full address and phone: they go on the parcel.
func (s *Service) ParcelSheet(ctx context.Context) ([]byte, error) {
	list, _, err := s.Parcels(ctx, DeliveryFilter{Method: MethodPost, Status: []DeliveryStatus{DeliveryOrdered}, Limit: 200})
	if err != nil {
		return nil, err
	}
	rows := make([]sheetRow, len(list))
	for i, d := range list {
		r := d.Receiver
		rows[i] = sheetRow{ID: d.ID, Holder: pii.MaskName(d.HolderName), IDNumber: pii.MaskIDNumber(d.IDNumber), Name: r.Name, Phone: r.Phone,
			Address: r.Province + r.City + r.County + r.Address}
	}
	snd := s.cfg.Sender
	var b bytes.Buffer
	err = sheet.Execute(&b, map[string]any{"Parcels": rows, "Sender": snd.Name + " " + snd.Phone + " " + snd.Province + snd.City + snd.County + snd.Detail})
	return b.Bytes(), err
}
