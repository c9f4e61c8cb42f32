#include "compiler/ir/Lexer.h"

#include "llvm/ADT/StringExtras.h"

#include <fmt/format.h>

namespace vkqc {

bool isValueNameChar(char c) { return llvm::isAlnum(c) || c == '_' || c == '.' || c == '$'; }
bool isIdentifierChar(char c) { return llvm::isAlnum(c) || c == '_' || c == '.'; }

Lexer::Lexer(llvm::StringRef text, unsigned firstLine) : text_(text) { loc_.line = firstLine; }

void Lexer::bump(size_t n) {
  for (; n && pos_ < text_.size(); --n, ++pos_) {
    if (text_[pos_] == '\n') {
      ++loc_.line;
      loc_.column = 1;
    } else {
      ++loc_.column;
    }
  }
}

void Lexer::skipSpaceAndComments() {
  while (pos_ < text_.size()) {
    char c = peek();
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      bump();
    } else if (c == '/' && peek(1) == '/') {
      while (pos_ < text_.size() && peek() != '\n')
        bump();
    } else {
      break;
    }
  }
}

llvm::StringRef Lexer::takeWhile(llvm::function_ref<bool(char)> accept) {
  size_t start = pos_;
  while (pos_ < text_.size() && accept(peek()))
    bump();
  return text_.slice(start, pos_);
}

bool Lexer::takeLiteral(llvm::StringRef literal) {
  if (!text_.substr(pos_).startswith(literal))
    return false;
  bump(literal.size());
  return true;
}

Token Lexer::next() {
  skipSpaceAndComments();
  TextLoc at = loc_;
  if (pos_ >= text_.size())
    return make(Token::Kind::End, "", at);
  char c = peek();
  if (llvm::isAlpha(c) || c == '_') {
    llvm::StringRef word = takeWhile(isIdentifierChar);
    if (word == "inf" || word == "nan")
      return make(Token::Kind::Float, word.str(), at);
    return make(Token::Kind::Identifier, word.str(), at);
  }
  if (llvm::isDigit(c) || (c == '-' && (llvm::isDigit(peek(1)) || llvm::isAlpha(peek(1)))))
    return lexNumber(at);
  if (c == '"')
    return lexString(at, Token::Kind::String);
  if (c == '%') {
    bump();
    if (peek() == '"')
      return lexString(at, Token::Kind::ValueName);
    llvm::StringRef name = takeWhile(isValueNameChar);
    if (name.empty())
      return make(Token::Kind::Error, "expected a value name after '%'", at);
    return make(Token::Kind::ValueName, name.str(), at);
  }
  if (c == '#') {
    bump();
    llvm::StringRef digits = takeWhile(llvm::isDigit);
    if (digits.empty())
      return make(Token::Kind::Error, "expected a storage number after '#'", at);
    return make(Token::Kind::StorageRef, digits.str(), at);
  }
  if (c == '@') {
    bump();
    llvm::StringRef name = takeWhile(isIdentifierChar);
    if (name.empty())
      return make(Token::Kind::Error, "expected a name after '@'", at);
    return make(Token::Kind::AtName, name.str(), at);
  }
  if (llvm::StringRef("()[]{},:=+*<>").contains(c)) {
    bump();
    return make(Token::Kind::Punct, std::string(1, c), at);
  }
  bump();
  if (llvm::isPrint(c))
    return make(Token::Kind::Error, fmt::format("unexpected character '{}'", c), at);
  return make(Token::Kind::Error,
              fmt::format("unexpected byte 0x{:02x}", static_cast<unsigned char>(c)), at);
}

// -12, 3.5, 1e-06, 1.1920928955078125e-07, -inf, -nan. The value is checked by the parser.
Token Lexer::lexNumber(TextLoc at) {
  size_t start = pos_;
  if (peek() == '-')
    bump();
  if (llvm::isAlpha(peek())) {
    llvm::StringRef word = takeWhile(isIdentifierChar);
    if (word != "inf" && word != "nan")
      return make(Token::Kind::Error, "expected a number after '-'", at);
    return make(Token::Kind::Float, text_.slice(start, pos_).str(), at);
  }
  bool isFloat = false;
  takeWhile(llvm::isDigit);
  if (peek() == '.' && llvm::isDigit(peek(1))) {
    isFloat = true;
    bump();
    takeWhile(llvm::isDigit);
  }
  if ((peek() == 'e' || peek() == 'E') &&
      (llvm::isDigit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && llvm::isDigit(peek(2))))) {
    isFloat = true;
    bump(2);
    takeWhile(llvm::isDigit);
  }
  return make(isFloat ? Token::Kind::Float : Token::Kind::Integer, text_.slice(start, pos_).str(),
              at);
}

// "..." with the printer's escapes: \" \\ \xNN. Other bytes stand for themselves; a line
// break ends the line, not the string.
Token Lexer::lexString(TextLoc at, Token::Kind kind) {
  bump(); // the opening quote
  std::string value;
  while (true) {
    if (pos_ >= text_.size() || peek() == '\n')
      return make(Token::Kind::Error, "unterminated string", at);
    char c = peek();
    if (c == '"') {
      bump();
      return make(kind, std::move(value), at);
    }
    if (c != '\\') {
      value += c;
      bump();
      continue;
    }
    char e = peek(1);
    if (e == '"' || e == '\\') {
      value += e;
      bump(2);
    } else if (e == 'x' && llvm::isHexDigit(peek(2)) && llvm::isHexDigit(peek(3))) {
      value += static_cast<char>(llvm::hexFromNibbles(peek(2), peek(3)));
      bump(4);
    } else {
      return make(Token::Kind::Error,
                  "unknown escape in a string (the text uses \\\", \\\\ and \\xNN)", at);
    }
  }
}

} // namespace vkqc
