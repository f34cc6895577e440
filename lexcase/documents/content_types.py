"""The accepted content types (decided by `files.sniff`). No Django here: the extraction
child process imports this without settings."""

from __future__ import annotations

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain"
# OFD (GB/T 33190-2016), the layout format of 电子送达 and e-invoices: a zip of XML pages.
OFD = "application/ofd"
# Word 97-2003 binary documents; WPS 文字 (.wps) writes the same format.
DOC = "application/msword"

EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", TIFF: "tif", DOCX: "docx", XLSX: "xlsx"}
EXTENSIONS[TEXT] = "txt"
EXTENSIONS[OFD] = "ofd"
EXTENSIONS[DOC] = "doc"
