// Package certpdf renders a certificate as a one-page printable PDF: the
// fields in Chinese, the holder photo and the QR code of the verify link.
//
// Chinese text uses an embedded subset of WenQuanYi Micro Hei (Apache
// License 2.0, font/LICENSE-Apache-2.0.txt): the GB 2312 repertoire (6,763
// hanzi, symbols) plus ASCII, cut from Debian's fonts-wqy-microhei with
// fontTools (font/README.md: licence, characters kept, how to remake it).
// Each PDF embeds only the glyphs it uses.
package certpdf

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/http"
	"time"

	"github.com/go-pdf/fpdf"

	"taxiexam/cert"
)

//go:embed font/WenQuanYiMicroHei-GB2312.ttf
var fontTTF []byte

// Renderer implements cert.Printer.
type Renderer struct{}

// Family is the name the embedded CJK font is registered under in the
// documents NewDocument makes.
const Family = "cjk"

const family = Family

// NewDocument is an A4 portrait document (millimetres) with the embedded
// CJK font registered as Family: how every PDF of the product prints
// Chinese (certificates here, dossiers in internal/archive/archivepdf).
func NewDocument(title string, created time.Time) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(created.UTC().Truncate(time.Second))
	pdf.SetCatalogSort(true)
	pdf.SetProducer("examd", false)
	pdf.SetTitle(title, true)
	pdf.AddUTF8FontFromBytes(family, "", fontTTF)
	return pdf
}

// PDF lays out an A4 page with the certificate in a 170 x 110 mm frame.
func (Renderer) PDF(c cert.Card, photo []byte, qrPNG []byte) ([]byte, error) {
	pdf := NewDocument(c.Kind.Title(), c.CreatedAt)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddPage()

	const x0, y0, w, h = 20.0, 20.0, 170.0, 128.0
	pdf.SetDrawColor(30, 80, 160)
	pdf.SetLineWidth(1.2)
	pdf.Rect(x0, y0, w, h, "D")
	pdf.SetLineWidth(0.3)
	pdf.Rect(x0+2, y0+2, w-4, h-4, "D")

	pdf.SetTextColor(20, 50, 120)
	pdf.SetFont(family, "", 18)
	pdf.SetXY(x0, y0+8)
	pdf.CellFormat(w, 10, c.Kind.Title(), "", 1, "C", false, 0, "")
	pdf.SetFont(family, "", 9)
	pdf.SetX(x0)
	pdf.CellFormat(w, 5, "中华人民共和国交通运输部监制 · 电子证照", "", 1, "C", false, 0, "")

	pdf.SetTextColor(0, 0, 0)
	status := map[cert.Status]string{cert.StatusValid: "有效", cert.StatusReplaced: "已换发（本版本作废）", cert.StatusRevoked: "已吊销", cert.StatusExpired: "已过期"}[c.Live]
	rows := [][2]string{
		{"姓　　名", c.HolderName},
		{"证件号码", c.IDNumber},
		{"从业资格类别", map[cert.Kind]string{cert.KindTaxi: "巡游出租汽车驾驶员", cert.KindRideHailing: "网络预约出租汽车驾驶员"}[c.Kind]},
		{"发证日期", c.IssuedOn.Format("2006年01月02日")},
		{"有效期至", c.ExpiresOn.Format("2006年01月02日")},
		{"发证机关", c.Authority},
		{"状　　态", status},
	}
	y := y0 + 30
	for _, r := range rows {
		pdf.SetFont(family, "", 10)
		pdf.SetXY(x0+10, y)
		pdf.CellFormat(28, 8, r[0], "", 0, "L", false, 0, "")
		pdf.SetFont(family, "", 12)
		pdf.CellFormat(80, 8, r[1], "", 0, "L", false, 0, "")
		y += 9
	}
	pdf.SetFont(family, "", 7.5)
	pdf.SetXY(x0+10, y0+h-15)
	pdf.CellFormat(150, 4, "电子证照标识："+c.LicenceID, "", 1, "L", false, 0, "")
	pdf.SetX(x0 + 10)
	pdf.CellFormat(150, 4, fmt.Sprintf("版本 %03d · 扫描右侧二维码或访问核验页面查验真伪与状态", c.Version), "", 1, "L", false, 0, "")

	if len(photo) > 0 {
		if t := imageType(photo); t != "" {
			pdf.RegisterImageOptionsReader("photo", fpdf.ImageOptions{ImageType: t}, bytes.NewReader(photo))
			pdf.ImageOptions("photo", x0+w-48, y0+28, 30, 40, false, fpdf.ImageOptions{ImageType: t}, 0, "")
		}
	}
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qrPNG))
	pdf.ImageOptions("qr", x0+w-50, y0+72, 36, 36, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")

	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("certpdf: %w", err)
	}
	return b.Bytes(), nil
}

func imageType(b []byte) string {
	switch http.DetectContentType(b) {
	case "image/jpeg":
		return "JPG"
	case "image/png":
		return "PNG"
	}
	return ""
}
