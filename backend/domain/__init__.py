"""Domain logic, free of web-framework imports."""
