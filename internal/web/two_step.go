package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"strings"

	"github.com/pquerna/otp"

	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/security"
)

// totpSetupPage is the data of the page that links an authenticator app
// (SEC-1): the QR code, the secret for manual entry, and the first code.
type totpSetupPage struct {
	Page
	Secret     string
	OTPAuthURL string
	QRCode     template.URL // a data: URL of the QR code's image
}

// SecretGroups is the secret in groups of four characters, easier to type.
func (p *totpSetupPage) SecretGroups() string { return groups(p.Secret, 4) }

// backupCodesPage is the data of the page that shows new backup codes once
// (SEC-2).
type backupCodesPage struct {
	Page
	Codes    []string
	Enabled  bool // two-step sign-in was just switched on (else: regenerated)
	Download template.URL
}

// Text is the codes one per line, for the read-only text area.
func (p *backupCodesPage) Text() string { return strings.Join(p.Codes, "\n") }

// groups splits s into space-separated groups of n characters.
func groups(s string, n int) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i > 0 && i%n == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// svgDataURL turns an inline SVG into an image address the page may show
// (the CSP allows data: images, not inline markup from a service).
func svgDataURL(svg string) template.URL {
	// #nosec G203 -- a base64 data: URL of an image; it cannot carry script into the page.
	return template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(svg)))
}

// qrFromURL draws the QR code of an otpauth:// address again, when the
// set-up page is shown a second time after a wrong first code.
func qrFromURL(otpauthURL, secret string) (template.URL, error) {
	key, err := otp.NewKeyFromURL(otpauthURL)
	if err != nil || key.Type() != "totp" || key.Secret() != secret {
		return "", fmt.Errorf("web: the set-up form's otpauth address is not the secret's")
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", fmt.Errorf("web: drawing the QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("web: encoding the QR code: %w", err)
	}
	// #nosec G203 -- a base64 data: URL of an image.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// backupCodesDownload is the codes as a text file, offered as a data: link:
// the codes exist only in this answer, so no later request could fetch them.
func (h *handler) backupCodesDownload(p *backupCodesPage) template.URL {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n\n", p.T("backup_codes.file_title"), p.User.Email)
	for _, c := range p.Codes {
		b.WriteString(c + "\n")
	}
	fmt.Fprintf(&b, "\n%s\n", p.T("backup_codes.file_note"))
	// #nosec G203 -- a base64 data: URL of plain text, downloaded, never run.
	return template.URL("data:text/plain;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(b.String())))
}

// startTOTP makes a new secret and shows how to add it to an app. The page
// is drawn in answer to the POST; the secret is not shown again by any GET.
func (h *handler) startTOTP(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	setup, err := h.Security.StartTOTP(r.Context(), v.user.ID, reqctx.Meta(r, v.user.ID))
	if err != nil {
		return h.refuseOnSecurity(w, r, "two_step", err)
	}
	p := &totpSetupPage{Page: Page{TitleKey: "totp.title", Nav: "security"}, Secret: setup.Secret,
		OTPAuthURL: setup.OTPAuthURL, QRCode: svgDataURL(setup.QRCodeSVG)}
	return h.render(w, r, http.StatusOK, "totp_setup", p)
}

// confirmTOTP switches one-time codes on with a first valid code. When they
// are the first method, two-step sign-in is now on and the 10 backup codes
// are shown once (SEC-1, SEC-2); otherwise the security page says the app
// was added. A wrong code shows the same set-up again: the app already
// holds that secret.
func (h *handler) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	codes, err := h.Security.ConfirmTOTP(r.Context(), v.user.ID, strings.TrimSpace(r.PostFormValue("code")),
		reqctx.Meta(r, v.user.ID))
	if err != nil {
		p := &totpSetupPage{Page: Page{TitleKey: "totp.title", Nav: "security"},
			Secret: r.PostFormValue("secret"), OTPAuthURL: r.PostFormValue("otpauth_url")}
		qr, qerr := qrFromURL(p.OTPAuthURL, p.Secret)
		if qerr != nil || errors.Is(err, security.ErrTOTPNotStarted) || errors.Is(err, security.ErrTOTPAlreadyOn) {
			// Nothing to show again: the security page says what happened.
			return h.refuseOnSecurity(w, r, "two_step", err)
		}
		p.QRCode = qr
		return h.refuse(w, r, "totp_setup", p, err)
	}
	if codes == nil {
		// Two-step sign-in was already on through another method: the
		// backup codes stay as they are.
		return redirect(w, r, "/profile/security?totp_added=1#method-totp")
	}
	p := &backupCodesPage{Page: Page{TitleKey: "backup_codes.title", Nav: "security", NoticeKey: "totp.enabled"},
		Codes: codes, Enabled: true}
	return h.renderBackupCodes(w, r, p)
}

// regenerateBackupCodes replaces every backup code after checking the
// password, and shows the new ones once (SEC-2).
func (h *handler) regenerateBackupCodes(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	codes, err := h.Security.RegenerateBackupCodes(r.Context(), v.user.ID, r.PostFormValue("password"),
		reqctx.Meta(r, v.user.ID))
	if err != nil {
		return h.refuseOnSecurity(w, r, "backup_codes", err)
	}
	p := &backupCodesPage{Page: Page{TitleKey: "backup_codes.title", Nav: "security", NoticeKey: "backup_codes.regenerated"},
		Codes: codes}
	return h.renderBackupCodes(w, r, p)
}

func (h *handler) renderBackupCodes(w http.ResponseWriter, r *http.Request, p *backupCodesPage) error {
	// The download's text is translated: fill the page first.
	h.fill(&p.Page, r)
	p.Download = h.backupCodesDownload(p)
	return h.render(w, r, http.StatusOK, "backup_codes", p)
}

// disableTOTP removes one-time codes: it takes the password and a valid
// code (SEC-5). When they were the last method, two-step sign-in is off.
func (h *handler) disableTOTP(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	err := h.Security.DisableTOTP(r.Context(), v.user.ID, r.PostFormValue("password"),
		strings.TrimSpace(r.PostFormValue("code")), reqctx.Meta(r, v.user.ID))
	if err != nil {
		return h.refuseOnSecurity(w, r, "disable", err)
	}
	on, err := h.Security.Required(r.Context(), v.user.ID)
	if err != nil {
		return err
	}
	if on {
		return redirect(w, r, "/profile/security?totp_removed=1#two-step")
	}
	return redirect(w, r, "/profile/security?two_step_off=1#two-step")
}

// refuseOnSecurity draws the security page again with a refusal about form.
func (h *handler) refuseOnSecurity(w http.ResponseWriter, r *http.Request, form string, err error) error {
	p, perr := h.newSecurityPage(r)
	if perr != nil {
		return perr
	}
	p.Form = form
	return h.refuse(w, r, "security", p, err)
}
