// The tokens of the `.vkir` text (Printer.h), for its parser (Parser.h).
//
// Whitespace and `//` comments separate tokens and are otherwise ignored. The lexer only
// moves forward when asked for the next token, so the parser can read the few spots that
// are not tokens (the hex digits after `xxh64=` and in `dense<0x...>`) raw, where it is.
#pragma once

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace vkqc {

/// A place in the text: 1-based line and column (columns count bytes).
struct TextLoc {
  unsigned line = 1;
  unsigned column = 1;
};

struct Token {
  enum class Kind {
    End,        // the end of the text
    Identifier, // aten.linear.default, f32, storage, true, None
    ValueName,  // %x or %"x y"; `text` is the name
    StorageRef, // #3; `text` is the digits
    AtName,     // @forward, @vulkan; `text` is the name
    Integer,    // 12, -1
    Float,      // 1.5, 1e-06, -inf, nan
    String,     // "a\"b"; `text` is the string, escapes decoded
    Punct,      // one of ( ) [ ] { } , : = + * < >
    Error,      // not a token; `text` says why
  };
  Kind kind = Kind::End;
  std::string text;
  TextLoc loc;

  bool isPunct(char c) const { return kind == Kind::Punct && text.size() == 1 && text[0] == c; }
  bool isWord(llvm::StringRef word) const { return kind == Kind::Identifier && text == word; }
};

class Lexer {
public:
  /// `firstLine`: the line number of the text's first line (a split of a larger file).
  Lexer(llvm::StringRef text, unsigned firstLine = 1);

  /// The next token after whitespace and comments.
  Token next();
  /// The characters from the current place on (no whitespace skipped) that `accept`
  /// takes, consumed: the raw hex runs of storage lines.
  llvm::StringRef takeWhile(llvm::function_ref<bool(char)> accept);
  /// Consumes `literal` if the text continues with it here (no whitespace skipped).
  bool takeLiteral(llvm::StringRef literal);
  /// Where the lexer is now.
  TextLoc loc() const { return loc_; }

private:
  llvm::StringRef text_;
  size_t pos_ = 0;
  TextLoc loc_;

  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void bump(size_t n = 1);
  void skipSpaceAndComments();
  Token make(Token::Kind kind, std::string text, TextLoc at) const {
    return Token{kind, std::move(text), at};
  }
  Token lexNumber(TextLoc at);
  Token lexString(TextLoc at, Token::Kind kind);
};

/// Characters of a value name written without quotes (`%sym_size_int_29`).
bool isValueNameChar(char c);
/// Characters of identifiers after the first (`aten.__and__.Tensor`).
bool isIdentifierChar(char c);

} // namespace vkqc
