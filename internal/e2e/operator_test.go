package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"text/template"
)

type webhookEndpoint struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Secret string   `json:"secret"`
}

// PRD-5, BIL-6: an operator token made on the server's machine with
// `alpage token create --scopes operator` (while the server runs on the
// same data directory) manages the webhook endpoints through the API and
// uploads a camt.054 file; the CLI sees the endpoint added through the API;
// a customer's token is refused.
func TestPRD5_OperatorTokenFromTheCLIUsesTheOperatorAPI(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	mustCLI(t, "user", "create", "--data", data, "--email", "ops@example.ch", "--password", "operator pass 42",
		"--first-name", "Olga", "--last-name", "Ops", "--no-organization")
	customer := mustCLI(t, "token", "create", "--data", data, "--email", "ops@example.ch", "--name", "customer")
	srv := startServer(t, "--data", data)

	ops := mustCLI(t, "token", "create", "--data", data, "--email", "ops@example.ch", "--name", "operations", "--scopes", "operator")
	if strings.Count(ops, "\n") != 0 || !strings.HasPrefix(ops, "alp_") {
		t.Fatalf("token create --scopes operator printed %q, want the token alone", ops)
	}

	var added envelope[webhookEndpoint]
	if code := srv.call("POST", "/api/1/operator/webhooks", ops,
		map[string]any{"url": "https://provisioning.example/alpage", "events": []string{"product.*"}}, &added); code != http.StatusCreated ||
		added.Data.ID == "" || !strings.HasPrefix(added.Data.Secret, "whsec_") || added.Data.URL != "https://provisioning.example/alpage" {
		t.Fatalf("POST /api/1/operator/webhooks = %d %+v", code, added)
	}
	var list envelope[[]webhookEndpoint]
	if code := srv.call("GET", "/api/operator/webhooks", ops, nil, &list); code != http.StatusOK || len(list.Data) != 1 ||
		list.Data[0].ID != added.Data.ID || list.Data[0].Secret != "" {
		t.Fatalf("GET /api/operator/webhooks = %d %+v", code, list)
	}
	// The command line reads the same endpoints.
	if out := mustCLI(t, "webhook", "list", "--data", data); !strings.Contains(out, added.Data.ID) || !strings.Contains(out, "product.*") {
		t.Fatalf("alpage webhook list:\n%s", out)
	}
	// `alpage webhook deliveries ID`, as the README writes it; an unknown
	// endpoint is an error.
	if out := mustCLI(t, "webhook", "deliveries", added.Data.ID, "--data", data); !strings.HasPrefix(out, "TIME") {
		t.Fatalf("alpage webhook deliveries ID:\n%s", out)
	}
	if out, err := cli(t, "", "webhook", "deliveries", "0192f000-0000-7000-8000-000000000000", "--data", data); err == nil {
		t.Fatalf("deliveries of an unknown endpoint succeeded:\n%s", out)
	}

	// A customer's token ("all", the default) is refused; the API does not
	// make an operator token.
	var refused envelope[any]
	if code := srv.call("POST", "/api/1/operator/webhooks", customer, map[string]any{"url": "https://evil.example/"}, &refused); code != http.StatusForbidden ||
		refused.Error.Code != "access_denied" {
		t.Fatalf("customer token on the operator route: %d %+v", code, refused)
	}
	refused = envelope[any]{}
	if code := srv.call("POST", "/api/1/profile/tokens", customer, map[string]any{"name": "x", "scopes": []string{"operator"}}, &refused); code != http.StatusUnprocessableEntity ||
		refused.Error.Code != "validation_failed" {
		t.Fatalf("POST /profile/tokens with the operator scope: %d %+v", code, refused)
	}

	// A camt.054 file through the real server: a credit no pro-forma
	// names is kept for staff; the same file again is a duplicate.
	tpl := template.Must(template.ParseFiles("../billing/testdata/camt054.xml.tmpl"))
	var file bytes.Buffer
	if err := tpl.Execute(&file, map[string]string{"Amount": "12.50", "Currency": "CHF",
		"Reference": "210000000003139471430009017", "BankRef": "E2E-OPS-1"}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []map[string]int{{"unmatched": 1, "duplicates": 0}, {"unmatched": 0, "duplicates": 1}} {
		code, got := uploadBankFile(t, srv, ops, file.Bytes())
		if code != http.StatusOK || got.Data["unmatched"] != want["unmatched"] || got.Data["duplicates"] != want["duplicates"] || got.Data["matched"] != 0 {
			t.Fatalf("upload %d = %d %+v", i+1, code, got)
		}
	}

	var gone envelope[any]
	if code := srv.call("DELETE", "/api/1/operator/webhooks/"+added.Data.ID, ops, nil, &gone); code != http.StatusNoContent {
		t.Fatalf("DELETE = %d %+v", code, gone)
	}
	if out := mustCLI(t, "webhook", "list", "--data", data); strings.Contains(out, added.Data.ID) {
		t.Fatalf("removed endpoint still listed:\n%s", out)
	}
	srv.stop()
}

// uploadBankFile posts file as XML to /api/1/operator/bank_files.
func uploadBankFile(t *testing.T, srv *server, token string, file []byte) (int, envelope[map[string]int]) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), "POST", srv.URL+"/api/1/operator/bank_files?name=e2e.xml", bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out envelope[map[string]int]
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("bank file upload: decoding %q: %v", raw, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Logf("bank file upload answered %d: %s\n%s", resp.StatusCode, raw, srv.stderr.String())
	}
	return resp.StatusCode, out
}
