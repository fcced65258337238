package billing

import (
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/catalog"
)

// productName normalizes and checks the name of a product to order: a
// domain is lower case and one registrable label under an ending the
// catalog sells ("example.ch", not "www.example.ch"); other products have a
// name of 1 to 253 characters.
func productName(typ, name string, offer catalog.Offer) (string, error) {
	name = strings.TrimSpace(name)
	if typ != "domain" {
		if name == "" || len([]rune(name)) > 253 {
			return "", apperr.Validation.With("The name must be between 1 and 253 characters.").Field("name", name)
		}
		return name, nil
	}
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	label := strings.TrimSuffix(name, offer.Plan)
	bad := apperr.Validation.With("A domain name is one label of letters, digits and hyphens under an ending sold here, like example"+
		offer.Plan+": no www, no spaces, no hyphen at either end.").Field("name", name)
	if !strings.HasSuffix(name, offer.Plan) || len(label) < 1 || len(label) > 63 || len(name) > 253 {
		return "", bad
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return "", bad
	}
	for _, r := range label {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return "", bad
		}
	}
	return name, nil
}
