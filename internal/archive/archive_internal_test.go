package archive

import (
	"strings"
	"testing"
)

func TestChangedFields(t *testing.T) {
	base := FormRecord{Name: "林晓东", IDNumber: "350602199001011235", Address: "胜利西路1号", Pledge: []string{"a", "b"}, Delivery: "post",
		Receiver: ReceiverRecord{Name: "林晓东", Phone: "13800138022"}}
	for _, tc := range []struct {
		name string
		edit func(f *FormRecord)
		want string
	}{
		{"nothing", func(f *FormRecord) {}, ""},
		{"address", func(f *FormRecord) { f.Address += "3栋" }, "address"},
		{"receiver phone", func(f *FormRecord) { f.Receiver.Phone = "13900139000" }, "receiver"},
		{"pledge and delivery", func(f *FormRecord) { f.Pledge = []string{"a"}; f.Delivery = "pickup" }, "pledge,delivery"},
		{"name and id", func(f *FormRecord) { f.Name = "林小东"; f.IDNumber = "35060219900101123X" }, "name,id_number"},
	} {
		next := base
		next.Pledge = append([]string(nil), base.Pledge...)
		tc.edit(&next)
		if got := strings.Join(changed(&base, next), ","); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := changed(nil, base); len(got) != 0 {
		t.Errorf("first version: %v", got)
	}
}

func TestSearchKind(t *testing.T) {
	for q, want := range map[string]string{
		"350602199001011235": "id_number", "13700137301": "phone", "42": "candidate_id", "": "", "林晓东": "", "12ab": "",
	} {
		if got := searchKind(q); got != want {
			t.Errorf("%q: %q, want %q", q, got, want)
		}
	}
}

func TestValidRules(t *testing.T) {
	for _, tc := range []struct {
		rules []RetentionRule
		err   string
	}{
		{[]RetentionRule{{RetainMessages, 3, RetentionDelete}, {RetainUnqualified, 5, RetentionAnonymise}}, ""},
		{[]RetentionRule{{"photos", 3, RetentionDelete}}, "unknown subject"},
		{[]RetentionRule{{RetainMessages, 3, RetentionAnonymise}}, "the action is delete"},
		{[]RetentionRule{{RetainPractice, 0, RetentionDelete}}, "years must be 1 to 100"},
		{[]RetentionRule{{RetainPractice, 2, RetentionDelete}, {RetainPractice, 3, RetentionDelete}}, "named twice"},
	} {
		err := ValidRules(tc.rules)
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%+v: %v, want %q", tc.rules, err, tc.err)
		}
	}
}

func TestMasker(t *testing.T) {
	m := masker(false)
	if m.id("350602199001011235") != "3506**********1235" || m.phone("13700137301") != "137****7301" || m.name("林晓东") != "林**" {
		t.Fatal("masked view shows personal data")
	}
	if f := masker(true); f.id("350602199001011235") != "350602199001011235" {
		t.Fatal("full view masks")
	}
}
