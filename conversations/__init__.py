"""The content program admins edit: questions, weights and result texts.

Installed as bot.conversations, so `pip install .` ships it with the code.
"""
