"""The domain layer: DVC, params, MLflow and git. Nothing here imports Textual.

Modules that need mlflow, pandas or scikit-learn import them inside functions,
so that the app draws its first frame before those heavy imports.
"""
