# ctest script: spirv-val --target-env vulkan1.1 on every .spv in SPV_DIR; fails on the
# first rejected file or when there is none.
file(GLOB files ${SPV_DIR}/*.spv)
list(LENGTH files count)
if(count EQUAL 0)
  message(FATAL_ERROR "no .spv files in ${SPV_DIR}")
endif()
foreach(file ${files})
  execute_process(COMMAND ${SPIRV_VAL} --target-env vulkan1.1 ${file}
                  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "spirv-val rejected ${file}:\n${out}")
  endif()
endforeach()
message(STATUS "spirv-val accepted ${count} shader variants")
