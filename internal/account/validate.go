package account

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on machines without zoneinfo
	"unicode/utf8"

	"github.com/alpage/alpage/internal/apperr"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

func validateEmail(email string) (string, error) {
	email = normalizeEmail(email)
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "", apperr.Validation.With("Enter a valid e-mail address, like ada@example.ch.").Field("email", email)
	}
	return email, nil
}

// validatePassword applies the password policy: at least MinPasswordLength
// characters, at most 1024 bytes, and not on the bundled list of common
// passwords (issue 4).
func validatePassword(password string) error {
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLength {
		return apperr.Validation.With("The password must have at least 10 characters.").Field("password")
	}
	if len(password) > 1024 {
		return apperr.Validation.With("The password must have at most 1024 bytes.").Field("password")
	}
	if IsCommonPassword(password) {
		return apperr.Validation.With("This password is too common: choose another").Field("password")
	}
	return nil
}

func validateName(attr, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || utf8.RuneCountInString(v) > 100 || strings.ContainsAny(v, "<>\r\n") {
		return "", apperr.Validation.With("Enter a name of 1 to 100 characters.").Field(attr, v)
	}
	return v, nil
}

func validateLanguage(v string) (string, error) {
	v = strings.ToLower(v)
	if !slices.Contains(Languages, v) {
		return "", apperr.Validation.With("The language must be one of fr, en, de, it, es.").Field("language", v)
	}
	return v, nil
}

func validateCountry(v string) (string, error) {
	v = strings.ToUpper(strings.TrimSpace(v))
	if len(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' {
		return "", apperr.Validation.With("The country must be a two-letter ISO code, like CH.").Field("country", v)
	}
	return v, nil
}

func validateTimeZone(v string) (string, error) {
	if _, err := time.LoadLocation(v); err != nil || v == "" || v == "Local" {
		return "", apperr.Validation.With("The time zone must be an IANA name, like Europe/Zurich.").Field("time_zone", v)
	}
	return v, nil
}

func validatePhone(v string) (string, error) {
	v = strings.Join(strings.Fields(v), "")
	if v == "" {
		return "", nil
	}
	ok := strings.HasPrefix(v, "+") && len(v) >= 8 && len(v) <= 16
	for _, r := range v[1:] {
		ok = ok && r >= '0' && r <= '9'
	}
	if !ok {
		return "", apperr.Validation.With("Enter the mobile number in international form, like +41791234567.").Field("phone", v)
	}
	return v, nil
}

// orDefault returns v, or def when v is blank: sign-up fills what the person
// left out; a profile update never does.
func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}
