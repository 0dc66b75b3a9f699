package analyzer

// The tests decode RFC 2047 words in every charset, as the command line
// does; see charsetReader.
import _ "github.com/emersion/go-message/charset"
