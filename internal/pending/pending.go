// Package pending holds the imports of modules being adopted while helpers
// write the packages that use them; it is removed before the session ends.
package pending

import (
	_ "github.com/go-webauthn/webauthn/webauthn"
	_ "github.com/oschwald/maxminddb-golang/v2"
	_ "github.com/signintech/gopdf"
)
