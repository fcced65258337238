package notify

import (
	"html"
	htmltemplate "html/template"
	"strings"
)

// layoutData is what templates/layout.html receives.
type layoutData struct {
	Lang    string
	Subject string
	Content htmltemplate.HTML
	Footer  string
}

// footers is the line under every e-mail, per language.
var footers = map[string]string{
	"fr": "Ce message automatique vous est envoyé par alpage ; les réponses ne sont pas lues.",
	"en": "This is an automatic message from alpage; replies are not read.",
	"de": "Dies ist eine automatische Nachricht von alpage; Antworten werden nicht gelesen.",
	"it": "Questo è un messaggio automatico di alpage; le risposte non vengono lette.",
	"es": "Este es un mensaje automático de alpage; las respuestas no se leen.",
}

// htmlFuncs are the helpers HTML bodies may call.
var htmlFuncs = htmltemplate.FuncMap{"button": button}

// button renders the branded call-to-action link. Only http(s) URLs are
// accepted; anything else renders the label alone.
func button(url, label string) htmltemplate.HTML {
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return htmltemplate.HTML(html.EscapeString(label))
	}
	return htmltemplate.HTML(`<table role="presentation" cellspacing="0" cellpadding="0" border="0" style="margin:24px 0;"><tr>` +
		`<td style="border-radius:6px;background-color:#2f6f4f;">` +
		`<a href="` + html.EscapeString(url) + `" style="display:inline-block;padding:12px 24px;` +
		`font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:15px;` +
		`font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">` +
		html.EscapeString(label) + `</a></td></tr></table>`)
}
