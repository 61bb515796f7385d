// Package slug turns titles into URL slugs.
package slug

import (
	"strings"
	"unicode"
)

// Make lowercases s, keeps letters and digits, and joins the runs between them with '-'.
func Make(s string) string {
	var b strings.Builder
	pendingDash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if pendingDash && b.Len() > 0 {
				b.WriteByte('-')
			}
			pendingDash = false
			b.WriteRune(r)
		} else {
			pendingDash = true
		}
	}
	return b.String()
}
