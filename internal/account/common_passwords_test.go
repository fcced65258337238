package account_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
)

// TestPasswordPolicy_BundledListIsLargeAndLowerCase keeps the list useful:
// at least 1,000 entries long enough to pass the length rule, all in lower
// case (the check lower-cases the password).
func TestPasswordPolicy_BundledListIsLargeAndLowerCase(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("common_passwords.txt")
	if err != nil {
		t.Fatal(err)
	}
	long := 0
	for line := range strings.Lines(string(raw)) {
		line = strings.TrimRight(line, "\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if line != strings.ToLower(line) || strings.TrimSpace(line) != line {
			t.Errorf("entry %q is not trimmed lower case", line)
		}
		if !account.IsCommonPassword(line) {
			t.Errorf("entry %q is not found", line)
		}
		if len([]rune(line)) >= account.MinPasswordLength {
			long++
		}
	}
	if long < 1000 {
		t.Errorf("%d entries of %d characters or more, want at least 1000", long, account.MinPasswordLength)
	}
}

func TestPasswordPolicy_CommonPasswordRefusedAtSignUp(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, pw := range []string{"qwertyuiop", "Password123", "1234567890", "ILOVEYOU2024", "Summer2025!"} {
		_, err := b.accounts.SignUp(context.Background(), account.SignUpInput{Email: "ada@example.ch", Password: pw,
			FirstName: "Ada", LastName: "Muster", Language: "de", Confirmed: true}, audit.Meta{})
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Validation.Code || e.Attribute != "password" || !strings.Contains(e.Message, "too common") {
			t.Fatalf("SignUp with %q: err = %v, want validation_failed on password, too common", pw, err)
		}
	}
	if _, err := b.accounts.GetByEmail(context.Background(), "ada@example.ch"); err == nil {
		t.Fatal("an account was created with a common password")
	}
	u, err := b.accounts.SignUp(context.Background(), account.SignUpInput{Email: "ada@example.ch",
		Password: "violet tractor umbrella 1987", FirstName: "Ada", LastName: "Muster", Language: "de", Confirmed: true}, audit.Meta{})
	if err != nil || u.ID == "" {
		t.Fatalf("SignUp with a long unusual password: %v", err)
	}
}

func TestPasswordPolicy_CommonPasswordRefusedAtPasswordChange(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := signUp(t, b, "ada@example.ch", true)
	err := b.accounts.ChangePassword(context.Background(), u.ID, password, "Qwertzuiop123", "", audit.Meta{ActorID: u.ID})
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Validation.Code || e.Attribute != "new_password" || !strings.Contains(e.Message, "too common") {
		t.Fatalf("ChangePassword to a common one: err = %v, want validation_failed on new_password, too common", err)
	}
	if _, err := b.accounts.Authenticate(context.Background(), u.Email, password, audit.Meta{}); err != nil {
		t.Fatalf("the old password stopped working after a refused change: %v", err)
	}
	if err := b.accounts.ChangePassword(context.Background(), u.ID, password, "a quiet heron at 5 past", "",
		audit.Meta{ActorID: u.ID}); err != nil {
		t.Fatalf("ChangePassword to a long unusual one: %v", err)
	}
}
