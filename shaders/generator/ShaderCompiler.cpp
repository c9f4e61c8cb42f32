// vkqc-shader-compiler: the build-time step that turns shaders/glsl into ShaderTable.cpp.
// For every variant of every family in Shaders.def it compiles the GLSL with libshaderc,
// validates the SPIR-V (spirv-val in-process), reflects its bindings, checks them against
// the family's declaration, writes <variant>.spv, and emits the C++ tables. Any failure
// fails the build.
//
// Usage: vkqc-shader-compiler <glsl dir> <output .cpp> <spv output dir>
#include "shaders/SpirvReflection.h"
#include "shaders/SpirvValidation.h"
#include "shaders/generator/VariantAxes.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <shaderc/shaderc.hpp>

#include <memory>
#include <string>
#include <vector>

using namespace vkqc::shaders;

namespace {

struct FamilySpec {
  std::string family, source, axes;
};

struct BindingSpec {
  std::string family;
  uint32_t binding;
  std::string name;
  Access access;
  std::string type; // an ElementType name or a role (DTYPE, SCALES_DTYPE, ZP_DTYPE, MASK_DTYPE,
                    // IN_DTYPE)
};

const std::vector<FamilySpec> &families() {
  static const std::vector<FamilySpec> list = {
#define VKQC_SHADER_FAMILY(family, source, axes) {family, source, axes},
#include "shaders/Shaders.def"
  };
  return list;
}

const std::vector<BindingSpec> &bindingSpecs() {
  static const std::vector<BindingSpec> list = {
#define VKQC_SHADER_BINDING(family, binding, name, access, type)                                   \
  {family, binding, name, Access::access, #type},
#include "shaders/Shaders.def"
  };
  return list;
}

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Whether the variant has the binding at all: MASK_DTYPE bindings exist only in variants
/// with a mask.
bool isDeclaredFor(llvm::StringRef type, const TypeRoles &roles) {
  return type != "MASK_DTYPE" || roles.mask != TypeRoles::Mask::Absent;
}

llvm::Expected<ElementType> resolveType(llvm::StringRef type, const TypeRoles &roles) {
  if (type == "MASK_DTYPE")
    return roles.mask == TypeRoles::Mask::BoolWords ? ElementType::UInt32 : roles.dtype;
  if (type == "DTYPE")
    return roles.dtype;
  if (type == "SCALES_DTYPE")
    return roles.scalesDtype;
  if (type == "ZP_DTYPE")
    return roles.zpDtype.getValueOr(roles.dtype);
  if (type == "IN_DTYPE")
    return roles.inDtype;
  for (ElementType t : {ElementType::Float32, ElementType::Float16, ElementType::Int8,
                        ElementType::UInt8, ElementType::Int32, ElementType::UInt32})
    if (type.equals_insensitive(elementTypeName(t)))
      return t;
  return error("Shaders.def: unknown binding type " + type);
}

/// Resolves #include "x.glslh" against the GLSL directory.
class DirectoryIncluder : public shaderc::CompileOptions::IncluderInterface {
public:
  explicit DirectoryIncluder(std::string dir) : dir_(std::move(dir)) {}

  shaderc_include_result *GetInclude(const char *requested, shaderc_include_type, const char *,
                                     size_t) override {
    auto *result = new IncludeResult;
    llvm::SmallString<256> path(dir_);
    llvm::sys::path::append(path, requested);
    auto buffer = llvm::MemoryBuffer::getFile(path);
    if (buffer) {
      result->nameStorage = std::string(path);
      result->contentStorage = (*buffer)->getBuffer().str();
    } else {
      // shaderc reports an empty source name as a failed include, with content as message.
      result->contentStorage =
          "cannot open " + std::string(path) + ": " + buffer.getError().message();
    }
    result->source_name = result->nameStorage.c_str();
    result->source_name_length = result->nameStorage.size();
    result->content = result->contentStorage.c_str();
    result->content_length = result->contentStorage.size();
    return result;
  }

  void ReleaseInclude(shaderc_include_result *data) override {
    delete static_cast<IncludeResult *>(data);
  }

private:
  struct IncludeResult : shaderc_include_result {
    std::string nameStorage, contentStorage;
  };
  std::string dir_;
};

struct CompiledVariant {
  std::string name, family;
  std::vector<std::pair<std::string, std::string>> macros;
  std::vector<uint32_t> spirv;
  ShaderReflection reflection;
  std::vector<std::pair<BindingSpec, ElementType>> declared;
};

llvm::Expected<std::vector<uint32_t>>
compileGlsl(const std::string &glslDir, const FamilySpec &family, const CompiledVariant &variant) {
  llvm::SmallString<256> path(glslDir);
  llvm::sys::path::append(path, family.source);
  auto source = llvm::MemoryBuffer::getFile(path);
  if (!source)
    return error("cannot read " + path + ": " + source.getError().message());

  shaderc::CompileOptions options;
  options.SetTargetEnvironment(shaderc_target_env_vulkan, shaderc_env_version_vulkan_1_1);
  options.SetSourceLanguage(shaderc_source_language_glsl);
  // No spirv-opt: it strips the member names reflection reports, and every Vulkan driver
  // optimizes the module itself.
  options.SetOptimizationLevel(shaderc_optimization_level_zero);
  options.SetWarningsAsErrors();
  options.SetIncluder(std::make_unique<DirectoryIncluder>(glslDir));
  for (const auto &[name, value] : variant.macros)
    options.AddMacroDefinition(name, value);

  shaderc::Compiler compiler;
  shaderc::SpvCompilationResult result =
      compiler.CompileGlslToSpv((*source)->getBufferStart(), (*source)->getBufferSize(),
                                shaderc_compute_shader, std::string(path).c_str(), "main", options);
  if (result.GetCompilationStatus() != shaderc_compilation_status_success)
    return error("compiling " + variant.name + " from " + path + ":\n" + result.GetErrorMessage());
  return std::vector<uint32_t>(result.cbegin(), result.cend());
}

/// Builds, validates and reflects one variant.
llvm::Expected<CompiledVariant> buildVariant(const std::string &glslDir, const FamilySpec &family,
                                             llvm::ArrayRef<const AxisValue *> choice) {
  CompiledVariant variant;
  variant.family = family.family;
  variant.name = family.family;
  TypeRoles roles;
  for (const AxisValue *value : choice) {
    if (!value->suffix.empty())
      variant.name += "_" + value->suffix;
    variant.macros.insert(variant.macros.end(), value->macros.begin(), value->macros.end());
    if (value->setRoles)
      value->setRoles(roles);
  }

  auto spirv = compileGlsl(glslDir, family, variant);
  if (!spirv)
    return spirv.takeError();
  variant.spirv = std::move(*spirv);
  if (llvm::Error err = validateSpirv(variant.spirv, variant.name))
    return err;
  auto reflection = reflectSpirv(variant.spirv);
  if (!reflection)
    return reflection.takeError();
  variant.reflection = std::move(*reflection);

  for (const BindingSpec &spec : bindingSpecs()) {
    if (spec.family != family.family || !isDeclaredFor(spec.type, roles))
      continue;
    auto type = resolveType(spec.type, roles);
    if (!type)
      return type.takeError();
    variant.declared.push_back({spec, *type});
  }
  return variant;
}

/// Checks the reflected bindings against Shaders.def through the same code the compiler's
/// kernel selection uses (checkDeclaredBindings on a ShaderVariant view of the tables).
llvm::Error checkDeclaration(const CompiledVariant &variant) {
  std::vector<BindingReflection> bindings;
  for (const ReflectedBinding &b : variant.reflection.bindings)
    bindings.push_back({b.set, b.binding, b.descriptorType, b.elementType, b.vectorWidth, b.access,
                        b.name.c_str()});
  std::vector<DeclaredBinding> declared;
  for (const auto &[spec, type] : variant.declared)
    declared.push_back({spec.binding, spec.name.c_str(), spec.access, type});
  ShaderVariant view{variant.name.c_str(),
                     variant.family.c_str(),
                     {},
                     variant.spirv,
                     bindings,
                     declared,
                     {},
                     0,
                     {},
                     {}};
  return checkDeclaredBindings(view);
}

llvm::Expected<std::vector<CompiledVariant>> buildAll(const std::string &glslDir) {
  std::vector<CompiledVariant> all;
  for (const FamilySpec &family : families()) {
    llvm::SmallVector<llvm::StringRef, 4> axisNames;
    llvm::StringRef(family.axes).split(axisNames, ' ', -1, /*KeepEmpty=*/false);
    std::vector<const std::vector<AxisValue> *> axes;
    for (llvm::StringRef axis : axisNames) {
      auto values = axisValues(axis);
      if (!values)
        return values.takeError();
      axes.push_back(*values);
    }
    // Odometer over the cartesian product, the last axis varying fastest.
    std::vector<size_t> position(axes.size(), 0);
    while (true) {
      std::vector<const AxisValue *> choice;
      for (size_t a = 0; a < axes.size(); ++a)
        choice.push_back(&(*axes[a])[position[a]]);
      auto variant = buildVariant(glslDir, family, choice);
      if (!variant)
        return variant.takeError();
      if (llvm::Error err = checkDeclaration(*variant))
        return err;
      all.push_back(std::move(*variant));

      size_t a = axes.size();
      while (a > 0 && ++position[a - 1] == axes[a - 1]->size())
        position[--a] = 0;
      if (a == 0)
        break;
    }
  }
  return all;
}

const char *enumerator(ElementType t) {
  switch (t) {
  case ElementType::Float32:
    return "ElementType::Float32";
  case ElementType::Float16:
    return "ElementType::Float16";
  case ElementType::Int8:
    return "ElementType::Int8";
  case ElementType::UInt8:
    return "ElementType::UInt8";
  case ElementType::Int32:
    return "ElementType::Int32";
  case ElementType::UInt32:
    return "ElementType::UInt32";
  }
  return "";
}

const char *enumerator(Access a) {
  switch (a) {
  case Access::Read:
    return "Access::Read";
  case Access::Write:
    return "Access::Write";
  case Access::ReadWrite:
    return "Access::ReadWrite";
  }
  return "";
}

const char *enumerator(DescriptorType d) {
  return d == DescriptorType::StorageBuffer ? "DescriptorType::StorageBuffer"
                                            : "DescriptorType::UniformBuffer";
}

std::string quoted(llvm::StringRef s) { return "\"" + s.str() + "\""; }
const char *boolean(bool b) { return b ? "true" : "false"; }

void emitTable(llvm::raw_ostream &os, llvm::ArrayRef<CompiledVariant> variants) {
  os << "// Generated by vkqc-shader-compiler from shaders/Shaders.def. Do not edit.\n"
     << "#include \"shaders/Shaders.h\"\n\n"
     << "namespace vkqc::shaders {\nnamespace {\n";
  for (size_t v = 0; v < variants.size(); ++v) {
    const CompiledVariant &variant = variants[v];
    os << "\n// " << variant.name << "\n";
    os << "const uint32_t kSpirv" << v << "[] = {";
    for (size_t i = 0; i < variant.spirv.size(); ++i)
      os << (i % 8 == 0 ? "\n    " : " ") << llvm::format_hex(variant.spirv[i], 10) << ",";
    os << "\n};\n";
    os << "const MacroDefinition kMacros" << v << "[] = {\n";
    for (const auto &[name, value] : variant.macros)
      os << "    {" << quoted(name) << ", " << quoted(value) << "},\n";
    os << "};\n";
    os << "const BindingReflection kBindings" << v << "[] = {\n";
    for (const ReflectedBinding &b : variant.reflection.bindings)
      os << "    {" << b.set << ", " << b.binding << ", " << enumerator(b.descriptorType) << ", "
         << enumerator(b.elementType) << ", " << b.vectorWidth << ", " << enumerator(b.access)
         << ", " << quoted(b.name) << "},\n";
    os << "};\n";
    os << "const DeclaredBinding kDeclared" << v << "[] = {\n";
    for (const auto &[spec, type] : variant.declared)
      os << "    {" << spec.binding << ", " << quoted(spec.name) << ", " << enumerator(spec.access)
         << ", " << enumerator(type) << "},\n";
    os << "};\n";
    if (!variant.reflection.pushConstants.empty()) {
      os << "const PushConstantMember kPushConstants" << v << "[] = {\n";
      for (const ReflectedPushConstant &p : variant.reflection.pushConstants)
        os << "    {" << quoted(p.name) << ", " << p.offset << ", " << enumerator(p.type) << "},\n";
      os << "};\n";
    }
  }

  os << "\nconst ShaderVariant kVariants[] = {\n";
  for (size_t v = 0; v < variants.size(); ++v) {
    const CompiledVariant &variant = variants[v];
    const ShaderReflection &r = variant.reflection;
    os << "    {" << quoted(variant.name) << ", " << quoted(variant.family) << ", kMacros" << v
       << ", kSpirv" << v << ", kBindings" << v << ", kDeclared" << v << ", ";
    if (r.pushConstants.empty())
      os << "{}";
    else
      os << "kPushConstants" << v;
    os << ", " << r.pushConstantSize << ", {" << r.workgroupSize[0] << ", " << r.workgroupSize[1]
       << ", " << r.workgroupSize[2] << "}, {" << boolean(r.requirements.int8) << ", "
       << boolean(r.requirements.storageBuffer8) << ", " << boolean(r.requirements.storageBuffer16)
       << ", " << boolean(r.requirements.float16) << "}},\n";
  }
  os << "};\n} // namespace\n\n"
     << "llvm::ArrayRef<ShaderVariant> allShaders() { return kVariants; }\n\n"
     << "} // namespace vkqc::shaders\n";
}

llvm::Error writeSpirvFiles(llvm::StringRef dir, llvm::ArrayRef<CompiledVariant> variants) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return error("cannot create " + dir + ": " + ec.message());
  for (const CompiledVariant &variant : variants) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, variant.name + ".spv");
    std::error_code ec;
    llvm::raw_fd_ostream out(path, ec);
    if (ec)
      return error("cannot write " + path + ": " + ec.message());
    out.write(reinterpret_cast<const char *>(variant.spirv.data()),
              variant.spirv.size() * sizeof(uint32_t));
  }
  return llvm::Error::success();
}

llvm::Error run(int argc, char **argv) {
  if (argc != 4)
    return error("usage: vkqc-shader-compiler <glsl dir> <output .cpp> <spv output dir>");
  auto variants = buildAll(argv[1]);
  if (!variants)
    return variants.takeError();
  if (llvm::Error err = writeSpirvFiles(argv[3], *variants))
    return err;
  std::error_code ec;
  llvm::raw_fd_ostream out(argv[2], ec);
  if (ec)
    return error(llvm::Twine("cannot write ") + argv[2] + ": " + ec.message());
  emitTable(out, *variants);
  return llvm::Error::success();
}

} // namespace

int main(int argc, char **argv) {
  if (llvm::Error err = run(argc, argv)) {
    llvm::WithColor::error(llvm::errs(), "vkqc-shader-compiler")
        << llvm::toString(std::move(err)) << "\n";
    return 1;
  }
  return 0;
}
