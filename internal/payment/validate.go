package payment

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/alpage/alpage/internal/money"
)

// Languages are the languages of the hosted pages.
var Languages = []string{"fr", "en", "de", "it", "es"}

// MaxKeyLength is the longest idempotency key a gateway accepts.
const MaxKeyLength = 255

// Allowed reports whether method may pay in currency: ErrMethodNotAllowed
// for PostFinance Card outside CHF, nil otherwise. The billing code can ask
// it before offering a method.
func Allowed(method Method, currency string) error {
	if method == MethodPostFinance && currency != "CHF" {
		return Errorf(ErrMethodNotAllowed, fmt.Sprintf("PostFinance Card pays in CHF only, not in %s", currency))
	}
	return nil
}

// Validate checks a checkout request as every gateway does: a known method
// allowed in the currency, an amount of zero only to save a method, return
// and cancel URLs, a known language and an idempotency key.
func (r CheckoutRequest) Validate() error {
	if err := validKey(r.IdempotencyKey); err != nil {
		return err
	}
	if !r.Method.Valid() {
		return Errorf(ErrInvalidRequest, fmt.Sprintf("unknown payment method %q", r.Method))
	}
	if err := validAmount(r.Amount, true); err != nil {
		return err
	}
	if r.Amount.Minor == 0 && !r.SaveMethod {
		return Errorf(ErrInvalidRequest, "a checkout without an amount must save a method")
	}
	if err := Allowed(r.Method, r.Amount.Currency); err != nil {
		return err
	}
	for name, u := range map[string]string{"return URL": r.ReturnURL, "cancel URL": r.CancelURL} {
		if !validURL(u) {
			return Errorf(ErrInvalidRequest, fmt.Sprintf("the %s %q must be an http(s) URL or a path from /", name, u))
		}
	}
	if r.Language != "" && !validLanguage(r.Language) {
		return Errorf(ErrInvalidRequest, fmt.Sprintf("unknown language %q", r.Language))
	}
	if len(r.Reference) > 255 {
		return Errorf(ErrInvalidRequest, "the reference is longer than 255 characters")
	}
	return nil
}

// Validate checks a charge request: a token, an amount above zero in a
// supported currency, and an idempotency key.
func (r ChargeRequest) Validate() error {
	if err := validKey(r.IdempotencyKey); err != nil {
		return err
	}
	if r.Token == "" {
		return Errorf(ErrInvalidRequest, "a token is required")
	}
	if len(r.Reference) > 255 || len(r.Description) > 1000 {
		return Errorf(ErrInvalidRequest, "the reference or description is too long")
	}
	return validAmount(r.Amount, false)
}

// ValidateAmount checks an amount for a capture or refund: above zero, in a
// supported currency, with an idempotency key.
func ValidateAmount(amount money.Amount, idempotencyKey string) error {
	if err := validKey(idempotencyKey); err != nil {
		return err
	}
	return validAmount(amount, false)
}

// ValidateKey checks an idempotency key: present, at most MaxKeyLength bytes.
func ValidateKey(idempotencyKey string) error { return validKey(idempotencyKey) }

func validKey(k string) error {
	if strings.TrimSpace(k) == "" {
		return Errorf(ErrInvalidRequest, "an idempotency key is required")
	}
	if len(k) > MaxKeyLength {
		return Errorf(ErrInvalidRequest, "the idempotency key is longer than 255 characters")
	}
	return nil
}

func validAmount(a money.Amount, zeroOK bool) error {
	if !money.Supported(a.Currency) {
		return Errorf(ErrInvalidRequest, fmt.Sprintf("unsupported currency %q", a.Currency))
	}
	if a.Minor < 0 || (a.Minor == 0 && !zeroOK) {
		return Errorf(ErrInvalidRequest, fmt.Sprintf("invalid amount %s %s", a.String(), a.Currency))
	}
	return nil
}

func validURL(s string) bool {
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func validLanguage(l string) bool {
	for _, v := range Languages {
		if v == l {
			return true
		}
	}
	return false
}
