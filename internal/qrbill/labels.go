package qrbill

import "strings"

// labels are the fixed texts of the payment part and receipt in one language
// (IG QR-bill, "Languages" and the headings of each section). The
// guidelines define them in German, French, Italian and English.
type labels struct {
	Receipt, PaymentPart, Account, Reference, AdditionalInfo,
	Currency, Amount, AcceptancePoint, PayableBy, PayableByBlank string
}

var allLabels = map[string]labels{
	"en": {
		Receipt: "Receipt", PaymentPart: "Payment part", Account: "Account / Payable to",
		Reference: "Reference", AdditionalInfo: "Additional information",
		Currency: "Currency", Amount: "Amount", AcceptancePoint: "Acceptance point",
		PayableBy: "Payable by", PayableByBlank: "Payable by (name/address)",
	},
	"de": {
		Receipt: "Empfangsschein", PaymentPart: "Zahlteil", Account: "Konto / Zahlbar an",
		Reference: "Referenz", AdditionalInfo: "Zusätzliche Informationen",
		Currency: "Währung", Amount: "Betrag", AcceptancePoint: "Annahmestelle",
		PayableBy: "Zahlbar durch", PayableByBlank: "Zahlbar durch (Name/Adresse)",
	},
	"fr": {
		Receipt: "Récépissé", PaymentPart: "Section paiement", Account: "Compte / Payable à",
		Reference: "Référence", AdditionalInfo: "Informations supplémentaires",
		Currency: "Monnaie", Amount: "Montant", AcceptancePoint: "Point de dépôt",
		PayableBy: "Payable par", PayableByBlank: "Payable par (nom/adresse)",
	},
	"it": {
		Receipt: "Ricevuta", PaymentPart: "Sezione pagamento", Account: "Conto / Pagabile a",
		Reference: "Riferimento", AdditionalInfo: "Informazioni supplementari",
		Currency: "Valuta", Amount: "Importo", AcceptancePoint: "Punto di accettazione",
		PayableBy: "Pagabile da", PayableByBlank: "Pagabile da (nome/indirizzo)",
	},
}

// Languages are the languages of the payment part the guidelines define.
// Any other language (alpage's "es" among them) is printed in English.
var Languages = []string{"de", "fr", "it", "en"}

// labelsFor returns the labels of lang ("fr", "de-CH", "IT"…), English when
// the guidelines do not define the language.
func labelsFor(lang string) labels {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	if l, ok := allLabels[lang]; ok {
		return l
	}
	return allLabels["en"]
}
