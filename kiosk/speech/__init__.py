"""Speech for the kiosk: a worker that speaks one utterance at a time through pyttsx3 (espeak-ng)."""

from .worker import SpeechWorker, Utterance, render_wav, wav_duration

__all__ = ["SpeechWorker", "Utterance", "render_wav", "wav_duration"]
