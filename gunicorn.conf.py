# Read by gunicorn when started from the project root (its default config file).
# The access log masks ID numbers and credit codes in URLs (lexcase/core/accesslog.py).
logger_class = "lexcase.core.accesslog.MaskingLogger"
