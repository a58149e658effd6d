package pii

import "strings"

// MaskIDNumber keeps the region prefix and the last four: 3505**********123X.
func MaskIDNumber(id string) string {
	r := []rune(id)
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:4]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-4:])
}

// MaskPhone keeps the carrier prefix and the last four: 138****8000.
func MaskPhone(phone string) string {
	r := []rune(phone)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskName keeps the family name: 张*, 欧阳**.
// Two-character family names are not guessed; only the first rune stays.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + strings.Repeat("*", max(len(r)-1, 1))
}

// MaskAddress keeps the first six characters (province/city) and hides the rest.
func MaskAddress(addr string) string {
	r := []rune(strings.TrimSpace(addr))
	if len(r) <= 6 {
		return string(r)
	}
	return string(r[:6]) + "****"
}
