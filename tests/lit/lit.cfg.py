# lit configuration for vkqc's golden tests (FileCheck from llvm-14-tools).
import os
import lit.formats

config.name = "vkqc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.vkqc_build_dir, "tests", "lit")

config.environment["PATH"] = os.pathsep.join(
    [config.vkqc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
config.substitutions.append(("%data", config.vkqc_test_data_dir))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%mutate", config.python + " " + os.path.join(config.test_source_root, "Inputs", "mutate.py")))
