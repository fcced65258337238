package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/security/passkeytest"
)

// passkey adds a passkey named name to userID's account, as the console
// does with a browser; the bundle's service becomes the relying party of
// https://manager.example.
func (b *bundle) passkey(t *testing.T, userID, name string) security.Passkey {
	t.Helper()
	if err := b.security.UseWebAuthn("https://manager.example"); err != nil {
		t.Fatal(err)
	}
	p, _, err := passkeytest.Register(context.Background(), b.security, passkeytest.New("https://manager.example"), userID, name)
	if err != nil {
		t.Fatalf("adding a passkey: %v", err)
	}
	return p
}

// passkeyNames lists the names of the caller's passkeys through the API.
func (b *bundle) passkeyNames(t *testing.T, token string) []string {
	t.Helper()
	r := b.do(t, "GET", "/api/1/profile/security/passkeys", token, nil)
	if r.status != http.StatusOK {
		t.Fatalf("list: %d %s", r.status, r.raw)
	}
	var names []string
	for _, p := range r.body["data"].([]any) {
		names = append(names, p.(map[string]any)["name"].(string))
	}
	return names
}

func TestSEC5_APIPasskeysListRenameRemove(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	annaID, token := b.user(t, "anna@example.ch")
	zoeID, zoeToken := b.user(t, "zoe@example.ch")
	laptop := b.passkey(t, annaID, "Laptop")
	phone := b.passkey(t, annaID, "Phone")
	theirs := b.passkey(t, zoeID, "Zoe's")

	r := b.do(t, "GET", "/api/1/profile/security/passkeys", token, nil)
	if r.status != http.StatusOK || r.body["total"] != float64(2) {
		t.Fatalf("list: %d %s", r.status, r.raw)
	}
	first := r.body["data"].([]any)[0].(map[string]any)
	if first["id"] != laptop.ID || first["name"] != "Laptop" || first["last_used_at"] != nil || first["created_at"] == nil {
		t.Errorf("first passkey %v", first)
	}

	// Rename.
	r = b.do(t, "PATCH", "/api/1/profile/security/passkeys/"+laptop.ID, token, map[string]string{"name": "Work laptop"})
	if r.status != http.StatusOK || r.data(t)["name"] != "Work laptop" {
		t.Fatalf("rename: %d %s", r.status, r.raw)
	}
	b.do(t, "PATCH", "/api/1/profile/security/passkeys/"+laptop.ID, token, map[string]string{"name": "  "}).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "name")

	// Another person's passkey is not found, renamed or removed.
	b.do(t, "PATCH", "/api/1/profile/security/passkeys/"+theirs.ID, token, map[string]string{"name": "Mine"}).
		wantError(t, http.StatusNotFound, "object_not_found")
	b.do(t, "DELETE", "/api/1/profile/security/passkeys/"+theirs.ID, token, map[string]string{"password": testUserPassword}).
		wantError(t, http.StatusNotFound, "object_not_found")
	if got := b.passkeyNames(t, zoeToken); len(got) != 1 || got[0] != "Zoe's" {
		t.Errorf("zoe's passkeys %v", got)
	}

	// Remove: the password in the body, as for switching one-time codes off.
	b.do(t, "DELETE", "/api/1/profile/security/passkeys/"+laptop.ID, token, map[string]string{"password": "wrong password"}).
		wantError(t, http.StatusUnprocessableEntity, "current_password_wrong", "password")
	b.do(t, "DELETE", "/api/1/profile/security/passkeys/"+laptop.ID, token, nil).
		wantError(t, http.StatusBadRequest, "bad_request")
	b.do(t, "DELETE", "/api/1/profile/security/passkeys/"+laptop.ID, token, map[string]string{}).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed")
	if r := b.do(t, "DELETE", "/api/1/profile/security/passkeys/"+laptop.ID, token,
		map[string]string{"password": testUserPassword}); r.status != http.StatusNoContent {
		t.Fatalf("remove: %d %s", r.status, r.raw)
	}
	if got := b.passkeyNames(t, token); len(got) != 1 || got[0] != "Phone" {
		t.Errorf("after removing the laptop: %v", got)
	}

	// The last method while an organization requires two-step sign-in.
	orgID := b.addOrganization(t, annaID, "Strict AG")
	if _, err := b.db.ExecContext(context.Background(), `UPDATE organizations SET require_two_step = $1 WHERE id = $2`, true, orgID); err != nil {
		t.Fatal(err)
	}
	b.do(t, "DELETE", "/api/1/profile/security/passkeys/"+phone.ID, token, map[string]string{"password": testUserPassword}).
		wantError(t, http.StatusConflict, "two_step_required")
	if _, err := b.db.ExecContext(context.Background(), `UPDATE organizations SET require_two_step = $1 WHERE id = $2`, false, orgID); err != nil {
		t.Fatal(err)
	}
	if r := b.do(t, "DELETE", "/api/1/profile/security/passkeys/"+phone.ID, token,
		map[string]string{"password": testUserPassword}); r.status != http.StatusNoContent {
		t.Fatalf("remove the last: %d %s", r.status, r.raw)
	}
	st := b.do(t, "GET", "/api/1/profile/security", token, nil).data(t)
	if st["enabled"] != false {
		t.Errorf("two-step sign-in still on after the last passkey: %v", st)
	}
	if got := b.passkeyNames(t, token); len(got) != 0 {
		t.Errorf("passkeys left: %v", got)
	}
}
