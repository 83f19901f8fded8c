"""Result files: tables (CSV, JSON, Parquet) and charts."""
