package pending

import (
	_ "github.com/chromedp/cdproto/webauthn"
	_ "github.com/makiuchi-d/gozxing/qrcode"
	_ "github.com/maxmind/mmdbwriter"
	_ "pgregory.net/rapid"
)
