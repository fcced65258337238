package qrbill

import "strings"

// AllowedRune reports whether r belongs to the character set of the Swiss
// QR Code, coding type 1: UTF-8 restricted to the Latin character set of the
// Swiss Payment Standards (IG QR-bill v2.3, "Character set"):
//
//   - Basic Latin, printable: U+0020–U+007E
//   - Latin-1 Supplement: U+00A0–U+00FF
//   - Latin Extended-A: U+0100–U+017F
//   - Ș ș Ț ț: U+0218–U+021B
//   - the euro sign €: U+20AC
//
// Control characters (line breaks, tabs) are never allowed: a line break
// separates data elements.
func AllowedRune(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7E,
		r >= 0xA0 && r <= 0x17F,
		r >= 0x218 && r <= 0x21B,
		r == 0x20AC:
		return true
	}
	return false
}

// firstForbidden returns the first rune of s outside the character set and
// its 1-based position, or (0, 0).
func firstForbidden(s string) (rune, int) {
	i := 0
	for _, r := range s {
		i++
		if !AllowedRune(r) {
			return r, i
		}
	}
	return 0, 0
}

// countries are the officially assigned ISO 3166-1 alpha-2 codes.
const countries = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
	"DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
	"HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY " +
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY " +
	"QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ " +
	"VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

// ValidCountry reports whether code is an officially assigned ISO 3166-1
// alpha-2 country code in upper case, as the "Ctry" data element requires.
func ValidCountry(code string) bool {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return false
	}
	return strings.Contains(countries, code)
}
