package token_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/token"
)

// API-1: "all" is everything a customer may do; the operator scope is
// never implied by it, and carries nothing of a customer's.
func TestAPI1_OperatorScopeIsNotImpliedByAll(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		scopes             []string
		customer, operator bool
	}{
		{[]string{"all"}, true, false},
		{[]string{"operator"}, false, true},
		{[]string{"all", "operator"}, true, true},
		{nil, false, false},
	} {
		tok := token.Token{Scopes: c.scopes}
		if got := tok.HasScope(token.ScopeAll); got != c.customer {
			t.Errorf("%v: HasScope(all) = %v", c.scopes, got)
		}
		if got := tok.HasScope(token.ScopeOperator); got != c.operator {
			t.Errorf("%v: HasScope(operator) = %v", c.scopes, got)
		}
		if got := tok.Operator(); got != c.operator {
			t.Errorf("%v: Operator() = %v", c.scopes, got)
		}
	}
}

// API-1: the command line (Create, as `alpage token create --scopes
// operator` calls it) makes an operator token; a user asking through the
// API or the console (CreateCustomer) cannot, and nothing is stored.
func TestAPI1_OperatorTokensOnlyFromTheCommandLine(t *testing.T) {
	t.Parallel()
	s, _, _, user := setup(t)
	ctx := context.Background()

	secret, tok, err := s.Create(ctx, user, "ops", []string{"operator"}, nil, audit.Meta{ActorID: user, UserAgent: "alpage-cli"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Authenticate(ctx, secret)
	if err != nil || got.ID != tok.ID || !slices.Equal(got.Scopes, []string{"operator"}) || !got.HasScope(token.ScopeOperator) || got.HasScope(token.ScopeAll) {
		t.Fatalf("operator token = %+v, %v", got, err)
	}
	// Both, as --scopes all,operator gives; repeated scopes are kept once.
	_, both, err := s.Create(ctx, user, "both", []string{"operator", "all", "operator"}, nil, audit.Meta{})
	if err != nil || !slices.Equal(both.Scopes, []string{"all", "operator"}) {
		t.Fatalf("all,operator = %v, %v", both.Scopes, err)
	}

	for _, scopes := range [][]string{{"operator"}, {"all", "operator"}} {
		_, _, err := s.CreateCustomer(ctx, user, "escalate", scopes, nil, audit.Meta{ActorID: user})
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Validation.Code || e.Attribute != "scopes" || !strings.Contains(e.Message, "alpage token create") {
			t.Errorf("CreateCustomer(%v) = %v, want validation_failed on scopes naming alpage token create", scopes, err)
		}
	}
	// A customer's own tokens are still made.
	_, cust, err := s.CreateCustomer(ctx, user, "deploy", nil, nil, audit.Meta{ActorID: user})
	if err != nil || !slices.Equal(cust.Scopes, []string{"all"}) {
		t.Fatalf("CreateCustomer default = %v, %v", cust.Scopes, err)
	}
	list, err := s.List(ctx, user)
	if err != nil || len(list) != 3 {
		t.Fatalf("tokens = %+v, %v; want ops, both and deploy only", list, err)
	}
	for _, l := range list {
		if l.Name == "escalate" {
			t.Errorf("a refused token was stored: %+v", l)
		}
	}
}
