package account

import (
	_ "embed" // the list of common passwords
	"strings"
	"sync"
)

//go:embed common_passwords.txt
var commonPasswordsText string

// commonPasswords is the set of the bundled list, built on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 16384)
	for line := range strings.Lines(commonPasswordsText) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[line] = struct{}{}
	}
	return set
})

// IsCommonPassword reports whether password, in any case, is on the bundled
// list of the most common passwords.
func IsCommonPassword(password string) bool {
	_, ok := commonPasswords()[strings.ToLower(password)]
	return ok
}
