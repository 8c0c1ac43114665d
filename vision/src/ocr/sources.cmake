# SPDX-License-Identifier: Apache-2.0
# MRZ line recogniser: segmentation on the 2.54 mm pitch and the compact OCR-B classifier.
target_sources(gw_vision PRIVATE ${CMAKE_CURRENT_LIST_DIR}/mrz_ocr.cpp ${CMAKE_CURRENT_LIST_DIR}/line_segmenter.cpp
                                 ${CMAKE_CURRENT_LIST_DIR}/glyph_classifier.cpp)
